// A big folder's stats split between this thread and a worker give exactly what one thread gives:
// the same files, in the same order, with the same identities; gone numbers and non-files left out.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { statFiles } from "../../src/store/file-scan.js";
import { statWorkerRuns } from "../../src/store/stat-worker.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "stat-split-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("statFiles split with a worker", () => {
  it("equals one thread's stats, gaps and a directory named like a message included", async () => {
    for (let n = 1; n <= 60; n++) if (n % 7 !== 0) writeFileSync(join(dir, String(n)), `message ${n}\n`.repeat(n));
    mkdirSync(join(dir, "28")); // not a message file
    const nums = Array.from({ length: 64 }, (_, i) => i + 1); // 61..64 and the multiples of 7 are gone
    const expected: Array<[number, { ino: number; size: number; mtime: number }]> = [];
    for (const n of nums) {
      const st = statSync(join(dir, String(n)), { throwIfNoEntry: false });
      if (st?.isFile()) expected.push([n, { ino: st.ino, size: st.size, mtime: st.mtimeMs }]);
    }
    const runs = statWorkerRuns;
    const split = await statFiles(dir, nums, 8);
    expect(statWorkerRuns).toBe(runs + 1); // the worker did the second half (no silent fallback)
    expect(split).toEqual(expected);
    expect(await statFiles(dir, nums)).toEqual(expected); // below the threshold: one thread
    expect(statWorkerRuns).toBe(runs + 1);
  });

  it("a file the worker cannot stat fails as it does in one thread (the fallback stats it here)", async () => {
    writeFileSync(join(dir, "1"), "a\n");
    writeFileSync(join(dir, "2"), "b\n");
    // a path through a regular file: statSync throws ENOTDIR in the worker (and here)
    const notDir = join(dir, "1");
    await expect(statFiles(notDir, [1, 2, 3, 4], 2)).rejects.toThrow(/ENOTDIR/);
  });
});
