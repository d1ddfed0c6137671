// What a look at a folder's directory found, against the records: new files, files gone, and
// files renamed by nmh (`folder -pack`, `sortm`, `refile`), recognised by identity.
import { removeStaleTemps, scanFolder } from "../mh/folder.js";
import { statFiles } from "./file-scan.js";
import { diffNumbers } from "./number-diff.js";
import { identKey, type StoredRecord } from "./record.js";

/**
 * A message file new to the records: its number, identity (inode, size, mtime) and CRLF size
 * (-1: not counted yet, see sizes.ts). Flat, one object per message: a first look makes 100,000.
 */
export interface NewMessage { num: number; ino: number; size: number; mtime: number; crlfSize: number }

/**
 * An empty file younger than this is not taken as a message yet: `inc` creates its file
 * (O_CREAT|O_TRUNC, no lock, no rename) and writes it a moment later, so a look in between
 * would give the message the identity of the empty file and expunge it once written.
 */
export const EMPTY_WAIT_MS = 2000;

export interface Rescan {
  added: NewMessage[];
  /** a file was left for a later look (see EMPTY_WAIT_MS): the folder must be looked at again */
  deferred: boolean;
  /** only when identities were checked (else nothing was gone) */
  expunged?: number[];
  renumbered?: Map<number, number>; // uid → num
}

/**
 * One readdir; a stat of each new file; the identity of every file only when something may have
 * moved. `ours`: numbers we added since the last look; `dirChanged`: the directory's stat moved.
 * `alongside` runs after the readdir, while the stats run in the thread pool (the caller reads
 * `.mh_sequences` there: it must come after the readdir, and a first look at 100,000 files
 * waited ~100 ms for the stats with the main thread idle).
 */
export async function rescanFolder(
  dir: string, recs: readonly StoredRecord[], ours: ReadonlySet<number>, deep: boolean, dirChanged: boolean,
  alongside?: () => void,
): Promise<Rescan> {
  const { nums, temps } = await scanFolder(dir);
  const { missing, fresh, baseMax } = diffNumbers(recs, nums, ours);
  // Only new numbers above the old ones, nothing gone: inc or our own appends. Anything
  // else (rmm, refile, pack, sortm) may have moved files: check every file's identity.
  const cheap = !deep && !missing && fresh.every((n) => n > baseMax) && (fresh.length > 0 || !dirChanged);
  const out: Rescan = { added: [], deferred: false };
  // new numbers only: a stat each for the identity (sizes are counted when asked for); else all
  const stats = statFiles(dir, cheap ? fresh : nums);
  try {
    alongside?.();
  } catch (e) {
    await stats.catch(() => undefined);
    throw e;
  }
  const st = await stats;
  const now = Date.now();
  const beingWritten = (i: number) => {
    if (st.size[i] !== 0 || now - st.mtime[i] >= EMPTY_WAIT_MS) return false;
    out.deferred = true;
    return true;
  };
  if (cheap) {
    for (let i = 0; i < st.nums.length; i++) {
      if (st.ino[i] >= 0 && !beingWritten(i)) out.added.push({ num: st.nums[i], ino: st.ino[i], size: st.size[i], mtime: st.mtime[i], crlfSize: -1 });
    }
  } else {
    const byIdent = new Map<string, StoredRecord>();
    for (const r of recs) byIdent.set(r.identKey(), r);
    const renumbered = new Map<number, number>();
    const kept = new Set<number>();
    for (let i = 0; i < st.nums.length; i++) {
      if (st.ino[i] < 0) continue;
      const num = st.nums[i];
      const ident = { ino: st.ino[i], size: st.size[i], mtime: st.mtime[i] };
      const r = byIdent.get(identKey(ident));
      if (r !== undefined && !kept.has(r.uid)) {
        kept.add(r.uid);
        if (r.num !== num) renumbered.set(r.uid, num);
      } else if (!beingWritten(i)) {
        out.added.push({ num, ...ident, crlfSize: -1 });
      }
    }
    out.renumbered = renumbered;
    out.expunged = recs.filter((r) => !kept.has(r.uid)).map((r) => r.uid);
  }
  if (temps) await removeStaleTemps(dir); // left by a writer that was killed
  return out;
}
