// Per-file work of a folder scan: a stat per file (its identity), and an open + fstat + LF count
// for a message whose RFC822.SIZE (the CRLF form) is asked for (see sizes.ts). Done with synchronous calls in time slices: at 100,000 files
// one thread-pool round trip per call cost more CPU than the calls themselves (the profile of a
// first open was mostly promise and libuv overhead), and the slices keep other sessions served.
import { closeSync, fstatSync, openSync, readSync, statSync, promises as fsp } from "node:fs";
import { setImmediate as yieldToLoop } from "node:timers/promises";
import { messageFile } from "../mh/folder.js";
import { identKey, type Ident } from "./record.js";
import { statInWorker } from "./stat-worker.js";

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

/**
 * The whole file if it still is the file with identity `key` (checked on the open descriptor),
 * else null (gone or replaced). Synchronous: open, fstat, read, close were four thread-pool
 * round trips per message, costing more CPU than the reads of a typical message.
 */
export function readIfSame(path: string, key: string): Buffer | null {
  const fd = openIfExists(path);
  if (fd === null) return null;
  try {
    const st = fstatSync(fd);
    if (identKey({ ino: st.ino, size: st.size, mtime: st.mtimeMs }) !== key) return null;
    const buf = Buffer.allocUnsafe(st.size);
    let off = 0;
    while (off < st.size) {
      const n = readSync(fd, buf, off, st.size - off, off);
      if (n === 0) return null; // shorter than its identity says: changed while we read
      off += n;
    }
    return buf;
  } finally {
    closeSync(fd);
  }
}

/** readIfSame for a large file: the same checks, without holding the event loop. */
export async function readIfSameAsync(path: string, key: string): Promise<Buffer | null> {
  let fh: fsp.FileHandle | null = null;
  try {
    fh = await fsp.open(path, "r");
    const st = await fh.stat();
    return identKey({ ino: st.ino, size: st.size, mtime: st.mtimeMs }) === key ? await fh.readFile() : null;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw e;
  } finally {
    await fh?.close();
  }
}

/** Run `each` over `items`, yielding to the event loop every SLICE_MS. */
async function sliced<T>(items: readonly T[], each: (item: T) => void): Promise<void> {
  let t0 = performance.now();
  for (let i = 0; i < items.length; i++) {
    each(items[i]);
    if ((i & 63) === 63 && performance.now() - t0 > SLICE_MS) {
      await yieldToLoop();
      t0 = performance.now();
    }
  }
}

/** From this many files on, a worker thread stats the second half (see stat-worker.ts). */
const SPLIT_MIN = 20_000;

/** Stat message files; files gone meanwhile (or not regular files) are left out. */
export async function statFiles(dir: string, nums: readonly number[], splitMin = SPLIT_MIN): Promise<Array<[number, Ident]>> {
  if (nums.length < splitMin) return statHere(dir, nums);
  const half = nums.length >> 1;
  const rest = statInWorker(dir, nums.slice(half)).catch(() => null);
  const first = await statHere(dir, nums.slice(0, half));
  return first.concat((await rest) ?? (await statHere(dir, nums.slice(half))));
}

async function statHere(dir: string, nums: readonly number[]): Promise<Array<[number, Ident]>> {
  const out: Array<[number, Ident]> = [];
  await sliced(nums, (n) => {
    const st = statSync(messageFile(dir, n), { throwIfNoEntry: false });
    if (st && st.isFile()) out.push([n, { ino: st.ino, size: st.size, mtime: st.mtimeMs }]);
  });
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
    let total = 0, extra = 0, prev = -1;
    for (;;) {
      const n = readSync(fd, buf, 0, CHUNK, null);
      if (n === 0) break;
      total += n;
      // each LF not already preceded by CR gains one byte on the wire
      let i = buf.indexOf(10, 0);
      while (i !== -1 && i < n) {
        if ((i === 0 ? prev : buf[i - 1]) !== 13) extra++;
        i = buf.indexOf(10, i + 1);
      }
      prev = buf[n - 1];
    }
    return { ident: { ino: st.ino, size: st.size, mtime: st.mtimeMs }, crlfSize: total + extra };
  } finally {
    closeSync(fd);
  }
}
