// MOVE's intent journal. A move renames each source file into the destination folder (one
// atomic rename: the message is in exactly one folder at every instant), but the records and
// `.mh_sequences` of both folders follow in later steps. A row written before the first rename
// and deleted after the last step tells a store that reopens after a crash what was under way:
// a destination file with the source's inode means the rename happened (finish: flags into the
// destination's sequences, the source number out of the source's); none means it did not (roll
// back: the source stays). Either way the empty file that claimed the number goes.
import { promises as fsp } from "node:fs";
import { join } from "node:path";
import { listNumbers, messageFile, updateSequences } from "../mh/folder.js";
import { removeEverywhere } from "../mh/sequences-edit.js";
import type { StoreContext } from "./context.js";
import type { Flag } from "./contract.js";

export interface MoveIntent {
  srcDir: string;
  srcNum: number;
  srcIno: number;
  destDir: string;
  holdIno: number;
  flags: Flag[];
}

/** One transaction for the whole batch; returns the rows' ids. */
export function recordMoves(ctx: StoreContext, intents: MoveIntent[]): number[] {
  const ins = ctx.db.prepare(
    "INSERT INTO pending_moves (src_dir, src_num, src_ino, dest_dir, hold_ino, flags) VALUES (?, ?, ?, ?, ?, ?)",
  );
  return ctx.db.transaction(() =>
    intents.map((m) => Number(ins.run(m.srcDir, m.srcNum, m.srcIno, m.destDir, m.holdIno, m.flags.join(" ")).lastInsertRowid)),
  )();
}

export function clearMoves(ctx: StoreContext, ids: number[]): void {
  const del = ctx.db.prepare("DELETE FROM pending_moves WHERE id = ?");
  ctx.db.transaction(() => {
    for (const id of ids) del.run(id);
  })();
}

interface Row {
  id: number; src_dir: string; src_num: number; src_ino: number; dest_dir: string; hold_ino: number; flags: string;
}

/** Finish or roll back every move a killed process left; called when the store opens. */
export async function recoverMoves(ctx: StoreContext): Promise<void> {
  const rows = ctx.db.prepare("SELECT * FROM pending_moves ORDER BY id").all() as Row[];
  for (const r of rows) {
    const srcDir = join(ctx.root, r.src_dir);
    const destDir = join(ctx.root, r.dest_dir);
    let found: number | null = null;
    const holds: number[] = [];
    for (const n of await listNumbers(destDir).catch(() => [] as number[])) {
      const st = await fsp.stat(messageFile(destDir, n)).catch(() => null);
      if (st?.ino === r.src_ino) found = n;
      else if (st?.ino === r.hold_ino && st.size === 0) holds.push(n);
    }
    for (const n of holds) await fsp.unlink(messageFile(destDir, n)).catch(() => undefined);
    if (found !== null) {
      // the source was renamed (or, by an older way, linked: then its name goes now)
      const src = await fsp.stat(messageFile(srcDir, r.src_num)).catch(() => null);
      if (src?.ino === r.src_ino) await fsp.unlink(messageFile(srcDir, r.src_num));
      const flags = r.flags === "" ? [] : r.flags.split(" ");
      const num = found;
      await updateSequences(destDir, ctx.seqUpdate, (seqs) => ctx.flags.apply(seqs, num, "replace", flags));
      const stillThere = await fsp.stat(messageFile(srcDir, r.src_num)).catch(() => null);
      if (!stillThere) {
        await updateSequences(srcDir, ctx.seqUpdate, (seqs) => {
          removeEverywhere(seqs, r.src_num);
        }).catch(() => undefined);
      }
      ctx.log.warn({ from: r.src_dir, to: r.dest_dir, num }, "finished a MOVE interrupted by a crash");
    } else {
      ctx.log.warn({ from: r.src_dir, to: r.dest_dir, num: r.src_num }, "rolled back a MOVE interrupted by a crash");
    }
    ctx.db.prepare("DELETE FROM pending_moves WHERE id = ?").run(r.id);
  }
}
