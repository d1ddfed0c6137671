// Per-file work of a folder scan: a stat per file (its identity; in C, see src/native/), and an
// open + fstat + LF count for a message whose RFC822.SIZE (the CRLF form) is asked for (see
// sizes.ts), with synchronous calls: at 100,000 files one thread-pool round trip per call cost
// more CPU than the calls themselves (the profile of a first open was mostly promise and libuv
// overhead); callers yield between files with yieldIfSliceDone so other sessions stay served.
import { closeSync, fstatSync, openSync, readSync, promises as fsp } from "node:fs";
import { setImmediate as yieldToLoop } from "node:timers/promises";
import { identKey, type Ident } from "./record.js";
import { nativeAddon } from "../native/addon.js";

/** how long one slice may hold the event loop */
const SLICE_MS = 15;
/** one read buffer for every count: memory stays flat whatever the messages' sizes */
const CHUNK = 64 * 1024;
let chunk: Buffer | null = null;

let sliceStart = 0;

/**
 * For a run of synchronous reads driven from outside (SEARCH reading 10,000 messages one
 * await at a time): yields to the event loop once the current slice has run SLICE_MS.
 */
export async function yieldIfSliceDone(): Promise<void> {
  const now = performance.now();
  if (now - sliceStart <= SLICE_MS) return;
  await yieldToLoop();
  sliceStart = performance.now();
}

/** A read-only descriptor, or null when the file is gone (a message expunged meanwhile). */
function openIfExists(path: string): number | null {
  try {
    return openSync(path, "r");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw e;
  }
}

/** The identity key of what a stat found (see record.ts). */
const keyOf = (st: { ino: number; size: number; mtimeMs: number }) => identKey({ ino: st.ino, size: st.size, mtime: st.mtimeMs });

/**
 * A read-only descriptor of `path` and its size if it still is the file with identity `key`
 * (checked on the descriptor, so what is read after is that file), else null (gone or replaced).
 */
export function openIfSame(path: string, key: string): { fd: number; size: number } | null {
  const fd = openIfExists(path);
  if (fd === null) return null;
  const st = fstatSync(fd);
  if (keyOf(st) === key) return { fd, size: st.size };
  closeSync(fd);
  return null;
}

/** openIfSame through the thread pool (for a file read or streamed without holding the event loop). */
export async function openIfSameAsync(path: string, key: string): Promise<{ fh: fsp.FileHandle; size: number } | null> {
  let fh: fsp.FileHandle;
  try {
    fh = await fsp.open(path, "r");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw e;
  }
  const st = await fh.stat().catch(async (e: unknown) => {
    await fh.close();
    throw e;
  });
  if (keyOf(st) === key) return { fh, size: st.size };
  await fh.close();
  return null;
}

/**
 * The whole file if it still is the file with identity `key`, else null (gone or replaced).
 * Synchronous: open, fstat, read, close were four thread-pool round trips per message, costing
 * more CPU than the reads of a typical message.
 */
export function readIfSame(path: string, key: string): Buffer | null {
  const f = openIfSame(path, key);
  if (f === null) return null;
  try {
    const buf = Buffer.allocUnsafe(f.size);
    let off = 0;
    while (off < f.size) {
      const n = readSync(f.fd, buf, off, f.size - off, off);
      if (n === 0) return null; // shorter than its identity says: changed while we read
      off += n;
    }
    return buf;
  } finally {
    closeSync(f.fd);
  }
}

/** readIfSame for a large file: the same checks, without holding the event loop. */
export async function readIfSameAsync(path: string, key: string): Promise<Buffer | null> {
  const f = await openIfSameAsync(path, key);
  if (f === null) return null;
  try {
    return await f.fh.readFile();
  } finally {
    await f.fh.close();
  }
}

/** Up to this many files are stat'ed on this thread (a few ms); more in the thread pool, in two halves. */
const SYNC_MAX = 1024;

/** Stats of message files as columns (no object per file: a first look stats 100,000). */
export interface FileStats {
  nums: Float64Array;
  /** -1: gone, or not a regular file */
  ino: Float64Array;
  size: Float64Array;
  /** ms with sub-ms precision, as Stats.mtimeMs */
  mtime: Float64Array;
}

/**
 * Stat message files `nums` (in C, see src/native/: at 100,000 files Node's statSync cost ~5 µs
 * each): up to SYNC_MAX here, more in the thread pool, in two halves.
 */
export async function statFiles(dir: string, nums: readonly number[]): Promise<FileStats> {
  const scan = nativeAddon();
  const all = Float64Array.from(nums);
  let v: Float64Array;
  if (all.length <= SYNC_MAX) {
    v = scan.statNumbers(dir, all);
  } else {
    const half = all.length >> 1;
    const [a, b] = await Promise.all([scan.statNumbersAsync(dir, all.subarray(0, half)), scan.statNumbersAsync(dir, all.subarray(half))]);
    v = new Float64Array(all.length * 3);
    v.set(a);
    v.set(b, a.length);
  }
  const n = all.length;
  const out: FileStats = { nums: all, ino: new Float64Array(n), size: new Float64Array(n), mtime: new Float64Array(n) };
  for (let i = 0; i < n; i++) {
    out.ino[i] = v[3 * i];
    out.size[i] = v[3 * i + 1];
    out.mtime[i] = v[3 * i + 2];
  }
  return out;
}

/**
 * Identity and CRLF size of one message file, from one open (the identity comes from the
 * descriptor, so it is the file that was counted); null if it is gone or not a regular file.
 */
export function countFile(path: string): { ident: Ident; crlfSize: number } | null {
  const fd = openIfExists(path);
  if (fd === null) return null;
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return null;
    const buf = (chunk ??= Buffer.allocUnsafe(CHUNK));
    const crlf = nativeAddon();
    let total = 0, extra = 0, prev = -1;
    for (;;) {
      const n = readSync(fd, buf, 0, CHUNK, null);
      if (n === 0) break;
      total += n;
      extra += crlf.missingCrs(buf.subarray(0, n), prev); // each LF not after a CR gains one byte
      prev = buf[n - 1];
    }
    return { ident: { ino: st.ino, size: st.size, mtime: st.mtimeMs }, crlfSize: total + extra };
  } finally {
    closeSync(fd);
  }
}
