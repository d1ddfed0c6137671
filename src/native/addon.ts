// The server's native addon (the C files beside this one, compiled by scripts/build-native.mjs
// into dist/src/native/asimap_native.node): the readdir and per-file stats of a folder look,
// which at 100,000 files were most of a first SELECT through Node's fs (a string, a path walk
// and a Stats object per file), LF -> CRLF for the wire, and nmh's fcntl lock
// without a thread-pool round trip. A leaf: it imports nothing of
// ours, and mh, store and message may use it. Loaded at first use, never while the user
// process's startup snapshot is built.
import { createRequire } from "node:module";

export interface NativeAddon {
  /** Message numbers ascending; temps: a name starts with tempPrefix but not ownPrefix. Throws fs-style errors (code ENOENT, ...). */
  listNumbers(dir: string, tempPrefix: string, ownPrefix: string): { nums: Float64Array; temps: boolean };
  /** Per number: inode (-1 gone or not a regular file), size, mtime in ms as Stats.mtimeMs. */
  statNumbers(dir: string, nums: Float64Array): Float64Array;
  /** statNumbers in libuv's thread pool. */
  statNumbersAsync(dir: string, nums: Float64Array): Promise<Float64Array>;
  /** How many CRs the CRLF form of `chunk` adds (a LF not preceded by CR; prev: the byte before, -1 none). */
  missingCrs(chunk: Buffer, prev?: number): number;
  /** The CRLF form of `chunk`: the chunk itself when it needs no CR, else a new Buffer. */
  toCrlf(chunk: Buffer, prev?: number): Buffer;
  /** fcntl F_SETLK F_WRLCK on the whole file: true when taken, false when another process holds a lock (never waits). */
  tryLockExclusive(fd: number): boolean;
  /** fcntl F_SETLK F_UNLCK on the whole file. */
  unlock(fd: number): void;
}

const requireHere = createRequire(import.meta.url);
// next to the compiled module (dist/src/native, or the user-process bundle in dist/src/user);
// from the sources (the tests) the build's copy
const PLACES = ["../native/asimap_native.node", "../../dist/src/native/asimap_native.node"];

let addon: NativeAddon | null = null;

export function nativeAddon(): NativeAddon {
  if (addon) return addon;
  for (const place of PLACES) {
    try {
      return (addon = requireHere(place) as NativeAddon);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "MODULE_NOT_FOUND") throw e;
    }
  }
  throw new Error(`asimap_native.node not found (${PLACES.join(", ")} from ${import.meta.url}): run npm run build`);
}
