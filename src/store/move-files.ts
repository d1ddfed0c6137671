// MOVE between two folders, crash-safe: each file is renamed into the destination (so it is in
// exactly one folder at every instant) under a number first claimed with an empty file, as
// nmh's `inc` may race us; the intent is journalled before the first rename (move-journal.ts).
// The caller holds both folders; this is the file work and the bookkeeping of both sides.
import { constants as fsConstants, promises as fsp } from "node:fs";
import { linkIntoFolder, messageFile, scanFolder, tempName } from "../mh/folder.js";
import type { StoreContext } from "./context.js";
import { clearMoves, recordMoves } from "./move-journal.js";
import type { StoredRecord } from "./record.js";
import { StoreError } from "./contract.js";

/** A message renamed into the destination: its record in the source, its number and copy there. */
export interface Moved { rec: StoredRecord; num: number; guard: string }

/** What MOVE does to the folder it moves from. */
export interface MoveSource {
  readonly dir: string;
  /** relative to the mail root, as journalled */
  readonly path: string;
  /** the moved messages are gone: their numbers leave the sequences, their UIDs are expunged */
  removeMoved(moved: Moved[]): Promise<void>;
}

/** What MOVE does to its destination. */
export interface MoveDestination {
  readonly dir: string;
  readonly path: string;
  readonly name: string;
  /** the UID the next message added will get */
  nextUid(): number;
  /** a number taken by us (so the next look does not take the file for someone else's) */
  claimed(num: number): void;
  /** the moved messages are in, with their flags: they get their UIDs */
  addMoved(moved: Moved[]): Promise<void>;
  /** each keeps its copy a while, as an APPEND does (see append-guards.ts) */
  guardMoved(moved: Moved[]): void;
}

export async function moveFiles(
  ctx: StoreContext, from: MoveSource, targets: StoredRecord[], dest: MoveDestination,
): Promise<Array<[number, number]>> {
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
  const ids = recordMoves(ctx, holds.map((h) => ({
    srcDir: from.path, srcNum: h.rec.num, srcIno: h.rec.ino, destDir: dest.path, holdIno: h.ino, flags: h.rec.flags,
  })));
  const moved: Moved[] = [];
  const intruders: string[] = [];
  let after = 0;
  let failure: unknown = null;
  try {
    for (const h of holds) {
      const num = await linkIntoFolder(dest.dir, h.hold, after);
      after = num;
      dest.claimed(num);
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
    ctx.log.warn({ mailbox: dest.name, num: a }, "inc wrote into a number claimed by MOVE; kept as a new message");
  }
  if (moved.length === 0) {
    clearMoves(ctx, ids);
    throw failure;
  }
  const firstUid = dest.nextUid();
  await dest.addMoved(moved);
  await from.removeMoved(moved);
  clearMoves(ctx, ids);
  dest.guardMoved(moved);
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
