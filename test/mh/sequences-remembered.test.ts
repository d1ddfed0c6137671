// readSequences reuses the parse of bytes it read or wrote last (see folder.ts): what it hands
// out must always be exactly what parsing the file on disk gives, and a private copy.
import { describe, expect, it, beforeEach, afterEach } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { readSequences, updateSequences, writeSequences, SEQUENCES_FILE } from "../../src/mh/folder.js";
import { parseSequences, type Sequences } from "../../src/mh/sequences.js";

let root: string;
let dir: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "asimap-seqmem-"));
  dir = join(root, "inbox");
  mkdirSync(dir);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const onDisk = () => parseSequences(readFileSync(join(dir, SEQUENCES_FILE), "utf8"));
const plain = (s: Sequences) => [...s].map(([name, set]) => [name, [...set]]);
/** what a reader of the file can tell: empty sequences are not written, a set has no order */
const meaning = (s: Sequences) =>
  [...s].filter(([, set]) => set.size > 0).map(([name, set]) => [name, [...set].sort((a, b) => a - b)]);

describe("remembered .mh_sequences parse", () => {
  it("after our own write, reads what parsing the file gives (same names in order, same numbers)", async () => {
    const name = fc.constantFrom("unseen", "flagged", "cur", "replied", "asimap-x", "deleted");
    const seqs = fc.array(fc.tuple(name, fc.array(fc.integer({ min: 1, max: 300 }), { maxLength: 40 })), { maxLength: 6 })
      .map((pairs) => new Map(pairs.map(([n, nums]) => [n, new Set(nums)])) as Sequences);
    await fc.assert(fc.asyncProperty(seqs, async (s) => {
      await writeSequences(dir, s);
      expect(meaning((await readSequences(dir)).seqs)).toEqual(plain(onDisk()));
      expect(meaning((await readSequences(dir, true)).seqs)).toEqual(plain(onDisk()));
    }), { numRuns: 1000 });
  });

  it("hands out a copy: changing what was read does not change the next read", async () => {
    await writeSequences(dir, new Map([["unseen", new Set([1, 2, 3])]]));
    const a = (await readSequences(dir)).seqs;
    a.get("unseen")!.delete(2);
    a.set("flagged", new Set([9]));
    expect(plain((await readSequences(dir)).seqs)).toEqual([["unseen", [1, 2, 3]]]);
    await updateSequences(dir, { lock: null }, (s) => { s.get("unseen")!.add(7); });
    (await readSequences(dir)).seqs.get("unseen")!.clear();
    expect(plain((await readSequences(dir)).seqs)).toEqual([["unseen", [1, 2, 3, 7]]]);
  });

  it("a shared read is not changed by a later read-modify-write of the same bytes", async () => {
    await writeSequences(dir, new Map([["unseen", new Set([1, 2, 3])]]));
    const shared = (await readSequences(dir, true)).seqs;
    expect((await readSequences(dir, true)).seqs).toBe(shared); // the same bytes: no new parse
    await updateSequences(dir, { lock: null }, (s) => { s.get("unseen")!.delete(1); s.set("flagged", new Set([2])); });
    expect(plain(shared)).toEqual([["unseen", [1, 2, 3]]]);
    expect(meaning((await readSequences(dir, true)).seqs)).toEqual([["unseen", [2, 3]], ["flagged", [2]]]);
  });

  it("sees an in-place rewrite of the same length (as nmh's mark does) and nmh's own mark", async () => {
    await writeSequences(dir, new Map([["unseen", new Set([1, 2])]]));
    expect(plain((await readSequences(dir)).seqs)).toEqual([["unseen", [1, 2]]]);
    writeFileSync(join(dir, SEQUENCES_FILE), "unseen: 1 3\n"); // same size, same inode
    expect(plain((await readSequences(dir)).seqs)).toEqual([["unseen", [1, 3]]]);

    for (const n of [1, 2, 3]) writeFileSync(join(dir, String(n)), `Subject: ${n}\n\nx\n`);
    writeFileSync(join(root, ".mh_profile"), `Path: ${root}\n`);
    execFileSync("/usr/bin/mh/mark", ["+inbox", "2", "-sequence", "flagged", "-add"], {
      env: { ...process.env, HOME: root, MH: join(root, ".mh_profile") },
    });
    expect(plain((await readSequences(dir)).seqs)).toEqual(plain(onDisk()));
    expect((await readSequences(dir)).seqs.get("flagged")).toEqual(new Set([2]));
  });

  it("the locked read-modify-write remembers what it wrote too", async () => {
    const opts = { lock: { timeoutMs: 1000, warn: () => undefined } };
    await updateSequences(dir, opts, (s) => { s.set("b", new Set([5, 3])); s.set("a", new Set()); });
    expect(meaning((await readSequences(dir)).seqs)).toEqual(plain(onDisk()));
    expect(plain(onDisk())).toEqual([["b", [3, 5]]]);
  });
});
