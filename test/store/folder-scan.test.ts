// The C part of a folder look (src/native/folder-scan.c) against Node's own fs as the oracle:
// the message numbers a readdir finds, and the identities (inode, size, mtimeMs) of the files,
// bit for bit, on this thread (small lists) and in the thread pool (big ones, in two halves).
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import fc from "fast-check";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { statFiles as statColumns } from "../../src/store/file-scan.js";
import { listNumbers, scanFolder } from "../../src/mh/folder.js";
import { nativeAddon } from "../../src/native/addon.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "folder-scan-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

type Ident = { ino: number; size: number; mtime: number };
/** The present files of statFiles' columns, as [num, identity] (gone ones have ino -1). */
async function statFiles(d: string, nums: number[]): Promise<Array<[number, Ident]>> {
  const st = await statColumns(d, nums);
  expect(Array.from(st.nums)).toEqual(nums);
  const out: Array<[number, Ident]> = [];
  for (let i = 0; i < st.nums.length; i++) if (st.ino[i] >= 0) out.push([st.nums[i], { ino: st.ino[i], size: st.size[i], mtime: st.mtime[i] }]);
  return out;
}
function nodeStats(d: string, nums: number[]): Array<[number, Ident]> {
  const out: Array<[number, Ident]> = [];
  for (const n of nums) {
    const st = statSync(join(d, String(n)), { throwIfNoEntry: false });
    if (st?.isFile()) out.push([n, { ino: st.ino, size: st.size, mtime: st.mtimeMs }]);
  }
  return out;
}

describe("statFiles (C)", () => {
  it("equals Node's statSync: gaps, a directory named like a message, sub-millisecond mtimes", async () => {
    for (let n = 1; n <= 60; n++) if (n % 7 !== 0) writeFileSync(join(dir, String(n)), `message ${n}\n`.repeat(n));
    mkdirSync(join(dir, "28")); // not a message file
    utimesSync(join(dir, "5"), 1_700_000_000.123456, 1_700_000_000.987654); // a fraction of a millisecond
    utimesSync(join(dir, "6"), 1_000_000_000, 1_000_000_000); // whole seconds
    const nums = Array.from({ length: 64 }, (_, i) => i + 1); // 61..64 and the multiples of 7 are gone
    const expected = nodeStats(dir, nums);
    expect(expected.length).toBe(52);
    expect(await statFiles(dir, nums)).toEqual(expected);
  });

  it("a big list (thread pool, two halves) equals Node's statSync in order", async () => {
    const nums: number[] = [];
    for (let n = 1; n <= 2500; n++) {
      if (n % 11 !== 0) writeFileSync(join(dir, String(n)), "x".repeat(n % 97));
      nums.push(n);
    }
    nums.push(9999); // never existed
    const expected = nodeStats(dir, nums);
    expect(expected.length).toBe(2500 - 227);
    expect(await statFiles(dir, nums)).toEqual(expected);
  });

  it("a folder gone means every file gone; a path through a file fails with ENOTDIR, as statSync does", async () => {
    expect(await statFiles(join(dir, "nope"), [1, 2, 3])).toEqual([]);
    expect(await statFiles(join(dir, "nope"), Array.from({ length: 2000 }, (_, i) => i + 1))).toEqual([]);
    writeFileSync(join(dir, "1"), "a\n");
    await expect(statFiles(join(dir, "1"), [1, 2, 3, 4])).rejects.toThrow(/ENOTDIR/);
    await expect(statFiles(join(dir, "1"), Array.from({ length: 2000 }, (_, i) => i + 1))).rejects.toThrow(/ENOTDIR/);
    expect(() => statSync(join(dir, "1", "1"), { throwIfNoEntry: false })).toThrow(/ENOTDIR/);
  });

  it("rejects what is not a Float64Array instead of reading it", () => {
    expect(() => nativeAddon().statNumbers(dir, [1, 2] as unknown as Float64Array)).toThrow(/Float64Array/);
  });
});

describe("listNumbers (C)", () => {
  /** What nmh counts as a message: digits without a leading zero (we stop at 15, an exact double). */
  const oracle = (names: string[]) => names.filter((n) => /^[1-9][0-9]{0,14}$/.test(n)).map(Number).sort((a, b) => a - b);

  it("finds exactly the message numbers among any names, ascending (property, 100 folders)", async () => {
    const name = fc.oneof(
      fc.integer({ min: 1, max: 2 ** 40 }).map(String),
      fc.constantFrom("0", "007", "1234567890123456", "123456789012345", ",5", "#3", "5~", ".mh_sequences", "12a", "٣", "１"),
      fc.stringMatching(/^[0-9a-z.,_-]{1,12}$/).filter((n) => n !== "." && n !== ".."),
    );
    await fc.assert(fc.asyncProperty(fc.uniqueArray(name, { maxLength: 25 }), async (names) => {
      const d = mkdtempSync(join(dir, "p-"));
      for (const n of names) writeFileSync(join(d, n), "");
      expect(await listNumbers(d)).toEqual(oracle(readdirSync(d)));
      rmSync(d, { recursive: true });
    }), { numRuns: 100 });
  });

  it("reports another writer's temporaries, not our own", async () => {
    writeFileSync(join(dir, "3"), "");
    writeFileSync(join(dir, `.asimap-tmp-${process.pid}-guard`), "");
    expect(await scanFolder(dir)).toEqual({ nums: [3], temps: false });
    writeFileSync(join(dir, ".asimap-tmp-999999999-x"), "");
    expect(await scanFolder(dir)).toEqual({ nums: [3], temps: true });
  });

  it("a missing folder fails as Node's readdir does (code ENOENT)", async () => {
    await expect(listNumbers(join(dir, "gone"))).rejects.toMatchObject({ code: "ENOENT", message: expect.stringMatching(/^ENOENT: .*scandir/) });
    writeFileSync(join(dir, "f"), "");
    await expect(listNumbers(join(dir, "f"))).rejects.toMatchObject({ code: "ENOTDIR" });
  });
});
