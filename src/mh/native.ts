// The C part of a look at a folder (src/native/folder-scan.c, compiled by scripts/build-native.mjs
// into dist/src/native/): the readdir and the per-file stats of a scan, which at 100,000 files
// were most of a first SELECT when done through Node's fs (a string, a path walk and a Stats
// object per file). Loaded at first use, never while the user process's startup snapshot is built.
import { createRequire } from "node:module";

export interface FolderScanAddon {
  /** Message numbers ascending; temps: a name starts with tempPrefix but not ownPrefix. Throws fs-style errors (code ENOENT, ...). */
  listNumbers(dir: string, tempPrefix: string, ownPrefix: string): { nums: Float64Array; temps: boolean };
  /** Per number: inode (-1 gone or not a regular file), size, mtime in ms as Stats.mtimeMs. */
  statNumbers(dir: string, nums: Float64Array): Float64Array;
  /** statNumbers in libuv's thread pool. */
  statNumbersAsync(dir: string, nums: Float64Array): Promise<Float64Array>;
}

const requireHere = createRequire(import.meta.url);
// next to the compiled module (dist/src/mh, or the bundle in dist/src/user); from the sources
// (the tests) the build's copy
const PLACES = ["../native/folder_scan.node", "../../dist/src/native/folder_scan.node"];

let addon: FolderScanAddon | null = null;

export function folderScanAddon(): FolderScanAddon {
  if (addon) return addon;
  for (const place of PLACES) {
    try {
      return (addon = requireHere(place) as FolderScanAddon);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "MODULE_NOT_FOUND") throw e;
    }
  }
  throw new Error(`folder_scan.node not found (${PLACES.join(", ")} from ${import.meta.url}): run npm run build`);
}
