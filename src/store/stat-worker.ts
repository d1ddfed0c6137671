// The other half of a big folder's stats, in a worker thread. A first look at 100,000 messages
// stats every file before it answers (identity: inode, size, mtime); one thread took ~510 ms of
// wall time for them, two ~360 ms. The worker is a few lines of code given as a string (the user
// process runs from one bundled file), so it starts in ~30 ms and is used only for big scans.
import { createRequire } from "node:module";
import type * as WorkerThreads from "node:worker_threads";
import type { Ident } from "./record.js";

// loaded when first used: worker_threads cannot be loaded while the user process's startup
// snapshot is built (scripts/build-user-bundle.mjs)
const requireBuiltin = createRequire(import.meta.url);

/** Per file three numbers, ino (-1: gone or not a regular file), size and mtime in ms. */
const CODE = `
const { parentPort, workerData } = require("node:worker_threads");
const { statSync } = require("node:fs");
const { dir, nums } = workerData;
const out = new Float64Array(nums.length * 3);
const base = dir.endsWith("/") ? dir : dir + "/";
for (let i = 0; i < nums.length; i++) {
  const st = statSync(base + nums[i], { throwIfNoEntry: false });
  if (st && st.isFile()) { out[3 * i] = st.ino; out[3 * i + 1] = st.size; out[3 * i + 2] = st.mtimeMs; }
  else out[3 * i] = -1;
}
parentPort.postMessage(out, [out.buffer]);
`;

/** scans whose second half a worker stated (for the tests: the fallback hides a broken worker) */
export let statWorkerRuns = 0;

/**
 * Stat message files `nums` of `dir` in a worker thread: [num, identity] of the regular files, in
 * order. Rejects if the worker fails (a file it may not stat, no thread): the caller stats here.
 */
export function statInWorker(dir: string, nums: readonly number[]): Promise<Array<[number, Ident]>> {
  const { Worker } = requireBuiltin("node:worker_threads") as typeof WorkerThreads;
  return new Promise((resolve, reject) => {
    const w = new Worker(CODE, { eval: true, workerData: { dir, nums } });
    w.once("error", reject);
    w.once("exit", (code) => reject(new Error(`stat worker exited with ${code}`))); // no-op once resolved
    w.once("message", (v: Float64Array) => {
      const out: Array<[number, Ident]> = [];
      for (let i = 0; i < nums.length; i++) {
        if (v[3 * i] >= 0) out.push([nums[i], { ino: v[3 * i], size: v[3 * i + 1], mtime: v[3 * i + 2] }]);
      }
      statWorkerRuns++;
      resolve(out);
    });
  });
}
