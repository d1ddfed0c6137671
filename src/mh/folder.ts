// One MH folder on disk: message numbers, message files, `.mh_sequences`. Writes never leave a
// half-written file where nmh could see it: everything goes to a dot-named temporary first
// (nmh ignores dot files) and is then linked or renamed into place.
//
// The calls on the APPEND and flag-change paths are synchronous: each is a few microseconds on
// a local disk, while the same call through the thread pool cost a futex wake-up, an eventfd
// write and an epoll round trip (an APPEND made ~25 such round trips; most of its CPU time).
// Only large message bodies are written asynchronously, so no write holds the event loop long.
import {
  promises as fsp, constants as C, closeSync, fchmodSync, fstatSync, ftruncateSync, futimesSync, linkSync, openSync,
  readFileSync, readSync, renameSync, unlinkSync, writeSync,
} from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { withFcntlLock, type LockOptions } from "./lock.js";
import { nativeAddon } from "../native/addon.js";
import { formatSequences, parseSequences, type Sequences } from "./sequences.js";
import { SequencesEdit } from "./sequences-edit.js";

export const SEQUENCES_FILE = ".mh_sequences";
const TMP_PREFIX = ".asimap-tmp-";

/** Message numbers in the folder, ascending. Ignores `,N` backups, dot files and non-numbers. */
export async function listNumbers(dir: string): Promise<number[]> {
  return (await scanFolder(dir)).nums;
}

/**
 * One readdir (in C, see src/native/): the message numbers, and whether temporaries of another (perhaps dead) process
 * lie around. Our own (an APPEND's guard copies) are not counted: they would cost a second
 * readdir for removeStaleTemps on every scan while they live.
 */
export async function scanFolder(dir: string): Promise<{ nums: number[]; temps: boolean }> {
  const { nums, temps } = nativeAddon().listNumbers(dir, TMP_PREFIX, `${TMP_PREFIX}${process.pid}-`);
  return { nums: Array.from(nums), temps };
}

/** The same file as join(dir, num): path.join's normalising was a tenth of a 100k-file scan. */
export function messageFile(dir: string, num: number): string {
  return dir.endsWith("/") ? dir + num : `${dir}/${num}`;
}

export function tempName(dir: string): string {
  return join(dir, `${TMP_PREFIX}${process.pid}-${randomBytes(6).toString("hex")}`);
}

export interface Added {
  num: number;
  /** identity of the file as we wrote it (taken before it had a number) */
  ino: number;
  size: number;
  mtimeMs: number;
  /** a separate copy of the message, when asked for (see addMessage) */
  guard: string | null;
}

/**
 * Add a message: written under a temporary name, its mtime set, then hard-linked to the next
 * free number. link() fails with EEXIST when someone took that number first, so we move on to
 * the next one and never overwrite a message.
 *
 * nmh's `inc` is not as careful: it opens its next number with O_CREAT|O_TRUNC (no O_EXCL), so an
 * `inc` that read the folder before our link can still write over our file. With `guard` a
 * second copy is kept under a dot name so the store can put the message back if that happens.
 */
/**
 * `highest`: the caller knows the folder's highest number (nobody changed the directory since
 * it looked), so no readdir is needed to find the next one; a number taken meanwhile is skipped
 * all the same (link fails with EEXIST).
 */
export async function addMessage(
  dir: string, data: Buffer, mtime: Date, after = 0, guard = false, highest?: number,
): Promise<Added> {
  const tmp = tempName(dir);
  const st = await writeNew(tmp, data, mtime);
  let guardPath: string | null = null;
  try {
    if (guard) {
      guardPath = tempName(dir) + "-guard";
      await writeNew(guardPath, data, mtime);
    }
    const num = await linkIntoFolder(dir, tmp, after, highest);
    return { num, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, guard: guardPath };
  } catch (e) {
    if (guardPath) unlinkQuiet(guardPath);
    throw e;
  } finally {
    unlinkQuiet(tmp);
  }
}

/** above this a message is written through the thread pool, not holding the event loop */
const SYNC_WRITE_MAX = 1 << 20;

/** Create `path` with `data` and this mtime; returns the file's identity as written. */
async function writeNew(path: string, data: Buffer, mtime: Date): Promise<{ ino: number; size: number; mtimeMs: number }> {
  if (data.length > SYNC_WRITE_MAX) {
    const fh = await fsp.open(path, C.O_WRONLY | C.O_CREAT | C.O_EXCL, 0o600);
    try {
      try {
        await fh.writeFile(data);
        await fh.utimes(mtime, mtime);
        const st = await fh.stat();
        return { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs };
      } finally {
        await fh.close();
      }
    } catch (e) {
      // a disk that filled up mid-write must not keep the partial file (it holds the space)
      await fsp.unlink(path).catch(() => undefined);
      throw e;
    }
  }
  const fd = openSync(path, C.O_WRONLY | C.O_CREAT | C.O_EXCL, 0o600);
  try {
    try {
      for (let off = 0; off < data.length;) off += writeSync(fd, data, off, data.length - off);
      futimesSync(fd, mtime, mtime);
      const st = fstatSync(fd);
      return { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs };
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    unlinkQuiet(path);
    throw e;
  }
}

function unlinkQuiet(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

/**
 * Give the file at `path` the next free number above max(folder, after); the old name stays.
 * With `highest` known the folder is not read (see addMessage).
 */
export async function linkIntoFolder(dir: string, path: string, after = 0, highest?: number): Promise<number> {
  let top = highest;
  if (top === undefined) {
    const nums = await listNumbers(dir);
    top = nums.length > 0 ? nums[nums.length - 1] : 0;
  }
  let n = Math.max(after, top) + 1;
  for (;;) {
    try {
      linkSync(path, messageFile(dir, n));
      return n;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      n++;
    }
  }
}

/** Unlink message files; a file already gone is not an error. Returns the numbers removed. */
export async function removeMessages(dir: string, nums: number[]): Promise<number[]> {
  const done: number[] = [];
  for (const n of nums) {
    try {
      await fsp.unlink(messageFile(dir, n));
      done.push(n);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    }
  }
  return done;
}

/** Remove temporary files left by a writer that died (its pid is gone). */
export async function removeStaleTemps(dir: string): Promise<void> {
  let names: string[];
  try {
    names = await fsp.readdir(dir);
  } catch {
    return;
  }
  for (const n of names) {
    if (!n.startsWith(TMP_PREFIX)) continue;
    const pid = Number(n.slice(TMP_PREFIX.length).split("-")[0]);
    if (pid === process.pid || (Number.isInteger(pid) && pidAlive(pid))) continue;
    await fsp.unlink(join(dir, n)).catch(() => undefined);
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

export interface SequencesSnapshot {
  seqs: Sequences;
  /** null when the file does not exist */
  stat: { ino: number; size: number; mtimeNs: bigint; mode: number } | null;
}

/**
 * Read `.mh_sequences`; a missing file is an empty set of sequences. `shared`: the caller will
 * not change what it gets, so the parse of bytes seen before is handed out as it is (no copy).
 */
export async function readSequences(dir: string, shared = false): Promise<SequencesSnapshot> {
  const path = join(dir, SEQUENCES_FILE);
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return { seqs: new Map(), stat: null };
    throw e;
  }
  try {
    // nmh rewrites the file in place (truncate, write): read until a stable, complete copy
    let st = fstatSync(fd, { bigint: true });
    let buf: Buffer = readFileSync(fd);
    for (let i = 0; i < 5 && !complete(buf, st.size); i++) {
      await new Promise((r) => setTimeout(r, 10));
      buf = readAt(fd);
      st = fstatSync(fd, { bigint: true });
    }
    return {
      seqs: parseRemembered(path, buf, shared),
      stat: { ino: Number(st.ino), size: Number(st.size), mtimeNs: st.mtimeNs, mode: Number(st.mode) & 0o7777 },
    };
  } finally {
    closeSync(fd);
  }
}

/**
 * The last bytes read or written per `.mh_sequences`, with what they parse to. Under load every
 * sync re-reads a file that is racy from our own last write, and parsing the same text again was
 * a sixth of the user process's time; equal bytes are equal sequences, so the parse is reused.
 * What is remembered is never changed: a caller that changes sequences gets a copy, and what
 * updateSequences wrote (remembered as it is) is not changed after. A few folders are kept: a
 * large folder's sequences are megabytes.
 */
const remembered = new Map<string, { text: Buffer; seqs: Sequences }>();
const REMEMBER_MAX = 8;

function parseRemembered(path: string, buf: Buffer, shared: boolean): Sequences {
  const hit = remembered.get(path);
  let seqs: Sequences;
  if (hit && hit.text.equals(buf)) {
    seqs = hit.seqs;
  } else {
    seqs = parseSequences(buf.toString("utf8"));
    remember(path, buf, seqs);
  }
  return shared ? seqs : copySequences(seqs);
}

function remember(path: string, text: Buffer, seqs: Sequences): void {
  remembered.delete(path);
  if (remembered.size >= REMEMBER_MAX) remembered.delete(remembered.keys().next().value!);
  remembered.set(path, { text, seqs });
}

function copySequences(seqs: Sequences): Sequences {
  const out: Sequences = new Map();
  for (const [name, set] of seqs) out.set(name, new Set(set));
  return out;
}

/**
 * `text` was just written from `seqs`: they stand for the same sequences (order within a set and
 * empty sequences, which the text leaves out, mean nothing to a reader).
 */
function rememberWritten(path: string, text: Buffer, seqs: Sequences): void {
  remember(path, text, seqs);
}

function complete(buf: Buffer, size: bigint): boolean {
  return BigInt(buf.length) === size && (buf.length === 0 || buf[buf.length - 1] === 10);
}

/** The whole file from offset 0 (readFileSync on a descriptor reads on from where it is). */
function readAt(fd: number): Buffer {
  const size = fstatSync(fd).size;
  const buf = Buffer.alloc(size);
  let off = 0;
  while (off < size) {
    const n = readSync(fd, buf, off, size - off, off);
    if (n === 0) break;
    off += n;
  }
  return buf.subarray(0, off);
}

/** Write `.mh_sequences` atomically (temporary file + rename), keeping the old file's mode. */
export async function writeSequences(dir: string, seqs: Sequences, mode = 0o600): Promise<void> {
  const text = Buffer.from(formatSequences(seqs));
  writeSequencesText(dir, text, mode);
  rememberWritten(join(dir, SEQUENCES_FILE), text, seqs);
}

/** Returns the inode of the file renamed into place. */
function writeSequencesText(dir: string, text: Buffer, mode: number): number {
  const tmp = tempName(dir);
  const fd = openSync(tmp, C.O_WRONLY | C.O_CREAT | C.O_EXCL, mode);
  try {
    let ino: number;
    try {
      for (let off = 0; off < text.length;) off += writeSync(fd, text, off, text.length - off);
      fchmodSync(fd, mode); // the umask may have taken bits the old file had
      ino = fstatSync(fd).ino;
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, join(dir, SEQUENCES_FILE));
    return ino;
  } catch (e) {
    unlinkQuiet(tmp);
    throw e;
  }
}

export interface UpdateOptions {
  /** null: no lock (temporary file + rename); else nmh's fcntl lock and an in-place rewrite */
  lock: LockOptions | null;
}

export interface SequencesUpdate<T> {
  result: T;
  /** what was written; remembered as the file's parse: the caller must not change it */
  seqs: Sequences;
  /** the sequences as read before the change (shared, unchanged) */
  base: Sequences;
  /** every number whose membership the change touched (`seqs` and `base` differ in no other), or null if not known */
  touched: ReadonlySet<number> | null;
  /** false when the change changed nothing, so the file was left as it was */
  written: boolean;
  /** the inode written (when written): if the path names another file later, ours was replaced or removed */
  ino?: number;
}

/**
 * Formatted lists of sets that are never changed again: those of what updateSequences wrote and
 * remembered, and of the parses they were edited from (see sequences-edit.ts). A STORE formats
 * only the sequences it touched.
 */
const formatted = new WeakMap<Set<number>, string>();

/**
 * Read-modify-write `.mh_sequences`: read it fresh, let `mutate` change it, write it back.
 * Unlocked, the new file is renamed into place, so no reader ever sees half of it. Locked, we
 * do exactly what nmh does under the same lock: truncate and rewrite the locked file.
 * `mutate` gets a copy-on-write view of what was read (see sequences-edit.ts); if it changes
 * nothing, nothing is written.
 */
export async function updateSequences<T>(
  dir: string, opts: UpdateOptions, mutate: (seqs: Sequences) => Promise<T> | T,
): Promise<SequencesUpdate<T>> {
  const path = join(dir, SEQUENCES_FILE);
  const edit = async (base: Sequences, write: (text: Buffer) => Promise<number> | number): Promise<SequencesUpdate<T>> => {
    const change = new SequencesEdit(base);
    const result = await mutate(change);
    // nothing to change (a STORE of flags a message already has): the file stays as it is
    if (!change.changed) return { result, seqs: base, base, touched: change.touched, written: false };
    const seqs = change.frozen();
    const text = Buffer.from(formatSequences(seqs, formatted));
    const ino = await write(text);
    rememberWritten(path, text, seqs);
    return { result, seqs, base, touched: change.touched, written: true, ino };
  };
  if (opts.lock) {
    return withFcntlLock(path, opts.lock, (fd) => edit(parseRemembered(path, readFileSync(fd), true), (text) => {
      ftruncateSync(fd, 0);
      writeSync(fd, text, 0, text.length, 0);
      return Number(fstatSync(fd, { bigint: true }).ino);
    }));
  }
  const snap = await readSequences(dir, true);
  return edit(snap.seqs, (text) => writeSequencesText(dir, text, snap.stat?.mode ?? 0o600));
}

/** Renumber messages 1..n in order (`folder -pack`); sequences follow. Returns old→new. */
export async function packFolder(dir: string, seqs: Sequences): Promise<Map<number, number>> {
  const nums = await listNumbers(dir);
  const map = new Map<number, number>();
  let next = 1;
  for (const n of nums) {
    if (n !== next) await fsp.rename(messageFile(dir, n), messageFile(dir, next));
    map.set(n, next);
    next++;
  }
  for (const [name, set] of seqs) {
    const moved = new Set<number>();
    for (const n of set) {
      const m = map.get(n);
      if (m !== undefined) moved.add(m);
    }
    seqs.set(name, moved);
  }
  return map;
}
