// Per-file work of a folder scan: a stat, or an open + fstat + LF count for a new message (its
// RFC822.SIZE is the CRLF form). Done with synchronous calls in time slices: at 100,000 files
// one thread-pool round trip per call cost more CPU than the calls themselves (the profile of a
// first open was mostly promise and libuv overhead), and the slices keep other sessions served.
import { closeSync, fstatSync, openSync, readSync, statSync } from "node:fs";
import { setImmediate as yieldToLoop } from "node:timers/promises";
import { messageFile } from "../mh/folder.js";
import type { Ident } from "./record.js";

/** how long one slice may hold the event loop */
const SLICE_MS = 15;
/** one read buffer for every count: memory stays flat whatever the messages' sizes */
const CHUNK = 64 * 1024;
let chunk: Buffer | null = null;

export interface ScannedFile { num: number; ident: Ident; crlfSize: number }

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

/** Stat message files; files gone meanwhile (or not regular files) are left out. */
export async function statFiles(dir: string, nums: readonly number[]): Promise<Array<[number, Ident]>> {
  const out: Array<[number, Ident]> = [];
  await sliced(nums, (n) => {
    const st = statSync(messageFile(dir, n), { throwIfNoEntry: false });
    if (st && st.isFile()) out.push([n, { ino: st.ino, size: st.size, mtime: st.mtimeMs }]);
  });
  return out;
}

/**
 * Identity and CRLF size of new message files, one open each (the identity comes from the
 * descriptor, so it is the file that was counted). Files gone meanwhile are left out.
 */
export async function scanNewFiles(dir: string, nums: readonly number[]): Promise<ScannedFile[]> {
  const out: ScannedFile[] = [];
  await sliced(nums, (num) => {
    const f = countFile(messageFile(dir, num));
    if (f) out.push({ num, ident: f.ident, crlfSize: f.crlfSize });
  });
  return out;
}

function countFile(path: string): { ident: Ident; crlfSize: number } | null {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw e;
  }
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
