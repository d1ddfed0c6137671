// MOVE between two folders, crash-safe: each file is renamed into the destination (so it is in
// exactly one folder at every instant) under a number first claimed with an empty file, as
// nmh's `inc` may race us; the intent is journalled before the first rename (move-journal.ts).
// The caller holds both folders; this is the file work and the bookkeeping of both sides.
import { constants as fsConstants, promises as fsp } from "node:fs";
import { linkIntoFolder, messageFile, scanFolder, tempName } from "../mh/folder.js";
import { removeEverywhere } from "../mh/sequences-edit.js";
import type { MhMailbox } from "./mailbox.js";
import { clearMoves, recordMoves } from "./move-journal.js";
import type { StoredRecord } from "./record.js";
import type { NewMessage } from "./rescan.js";
import { StoreError } from "./types.js";

export async function moveFiles(from: MhMailbox, targets: StoredRecord[], dest: MhMailbox): Promise<Array<[number, number]>> {
  // an empty dot file per message: it will claim the destination number; its inode is journalled
  const holds: Array<{ rec: StoredRecord; hold: string; ino: number; guard: string }> = [];
  try {
    for (const rec of targets) {
      const src = messageFile(from.dir, rec.num);
      const st = await fsp.stat(src).catch(() => null);
      if (!st || st.ino !== rec.ino) continue; // replaced or gone behind our back: not moved
      const hold = tempName(dest.dir);
      await fsp.writeFile(hold, "", { flag: "wx", mode: 0o600 });
      // a separate copy, kept a while as for APPEND: an `inc` may still write over the number
      const guard = tempName(dest.dir) + "-guard";
      holds.push({ rec, hold, ino: (await fsp.stat(hold)).ino, guard });
      await fsp.copyFile(src, guard, fsConstants.COPYFILE_EXCL);
      await fsp.utimes(guard, st.atime, st.mtime);
    }
  } catch (e) {
    for (const h of holds) {
      await fsp.unlink(h.hold).catch(() => undefined);
      await fsp.unlink(h.guard).catch(() => undefined);
    }
    if ((e as NodeJS.ErrnoException).code === "ENOSPC") throw new StoreError("OVERQUOTA", "no space left");
    throw e;
  }
  if (holds.length === 0) return [];
  const ids = recordMoves(from.ctx, holds.map((h) => ({
    srcDir: from.path, srcNum: h.rec.num, srcIno: h.rec.ino, destDir: dest.path, holdIno: h.ino, flags: h.rec.flags,
  })));
  const moved: Array<{ rec: StoredRecord; num: number; guard: string }> = [];
  const intruders: string[] = [];
  let after = 0;
  let failure: unknown = null;
  try {
    for (const h of holds) {
      const num = await linkIntoFolder(dest.dir, h.hold, after);
      after = num;
      dest.pendingSelf.add(num);
      await fsp.rename(messageFile(from.dir, h.rec.num), messageFile(dest.dir, num));
      moved.push({ rec: h.rec, num, guard: h.guard });
      // an `inc` that opened the number before our rename wrote into the hold: keep its mail
      if ((await fsp.stat(h.hold)).size > 0) intruders.push(h.hold);
      else await fsp.unlink(h.hold);
    }
  } catch (e) {
    // e.g. a read-only source folder: what was renamed is finished below, the rest stays
    failure = (e as NodeJS.ErrnoException).code === "ENOSPC" ? new StoreError("OVERQUOTA", "no space left") : e;
  } finally {
    for (const h of holds) {
      if (!moved.some((m) => m.rec === h.rec)) {
        // not renamed: take back the claimed number if we got that far, and the copy
        const num = after > 0 ? await numberOf(dest.dir, h.ino) : null;
        if (num !== null) await fsp.unlink(messageFile(dest.dir, num)).catch(() => undefined);
        await fsp.unlink(h.hold).catch(() => undefined);
        await fsp.unlink(h.guard).catch(() => undefined);
      }
    }
  }
  for (const path of intruders) {
    const a = await linkIntoFolder(dest.dir, path, after);
    after = a;
    await fsp.unlink(path).catch(() => undefined);
    from.ctx.log.warn({ mailbox: dest.name, num: a }, "inc wrote into a number claimed by MOVE; kept as a new message");
  }
  if (moved.length === 0) {
    clearMoves(from.ctx, ids);
    throw failure;
  }
  const firstUid = dest._uidNext;
  const added: NewMessage[] = moved.map((m) => ({ num: m.num, ino: m.rec.ino, size: m.rec.fileSize, mtime: m.rec.mtime, crlfSize: m.rec.knownSize }));
  await dest.updateSeqs((seqs) => {
    for (const m of moved) from.ctx.flags.apply(seqs, m.num, "replace", m.rec.flags);
  }, added);
  await from.updateSeqs((seqs) => {
    for (const m of moved) removeEverywhere(seqs, m.rec.num);
  }, [], moved.map((m) => m.rec.uid));
  clearMoves(from.ctx, ids);
  for (const m of moved) {
    dest.guards.add({ path: m.guard, num: m.num, ident: m.rec.ident, at: Date.now(), flags: m.rec.flags });
  }
  if (failure) throw failure;
  return moved.map((m, i) => [m.rec.uid, firstUid + i]);
}

/** The number of the file with this inode in `dir`, or null. */
async function numberOf(dir: string, ino: number): Promise<number | null> {
  for (const n of (await scanFolder(dir)).nums) {
    if ((await fsp.stat(messageFile(dir, n)).catch(() => null))?.ino === ino) return n;
  }
  return null;
}
