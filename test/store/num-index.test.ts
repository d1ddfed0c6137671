// The number → place lookup a flag commit uses instead of walking every record: it must find
// exactly what a linear search finds, in number order or not (after sortm), and stay right
// when records are replaced in place and new ones appended.
import { describe, it } from "vitest";
import fc from "fast-check";
import { NumIndex } from "../../src/store/num-index.js";
import { StoredRecord, type SizeCounter } from "../../src/store/record.js";

const counter: SizeCounter = { count: () => 0 };
const recOf = (uid: number, num: number) => new StoredRecord(uid, num, [], 1, 10, uid, 10, 0, counter);
const linear = (recs: readonly StoredRecord[], num: number) => recs.findIndex((r) => r.num === num);

// distinct numbers, in any order (UIDs ascend as the array goes, as in a mailbox)
const numbers = fc.uniqueArray(fc.integer({ min: 1, max: 400 }), { maxLength: 60 });

describe("NumIndex", () => {
  it("finds every number, and no other, whatever the order (1,000 runs)", () => {
    fc.assert(fc.property(numbers, fc.boolean(), (nums, sorted) => {
      if (sorted) nums.sort((a, b) => a - b);
      const recs = nums.map((n, i) => recOf(i + 1, n));
      const idx = NumIndex.of(recs);
      for (let n = 0; n <= 401; n++) if (idx.find(n) !== linear(recs, n)) return false;
      return true;
    }), { numRuns: 1000 });
  });

  it("extended over replaced and appended records equals one built afresh (1,000 runs)", () => {
    fc.assert(fc.property(numbers, fc.boolean(), fc.uniqueArray(fc.integer({ min: 1, max: 600 }), { maxLength: 10 }),
      fc.array(fc.nat(), { maxLength: 5 }), (nums, sorted, more, replace) => {
        if (sorted) nums.sort((a, b) => a - b);
        const recs = nums.map((n, i) => recOf(i + 1, n));
        const idx = NumIndex.of(recs);
        const next = recs.slice();
        for (const k of replace) if (next.length > 0) next[k % next.length] = next[k % next.length].with(next[k % next.length].num, ["\\Seen"], 2);
        const taken = new Set(nums);
        for (const n of more) if (!taken.has(n)) next.push(recOf(next.length + 1, n));
        const ext = idx.extend(next, recs.length);
        for (let n = 0; n <= 601; n++) if (ext.find(n) !== linear(next, n)) return false;
        return true;
      }), { numRuns: 1000 });
  });
});
