// Flags of a whole large folder are worked out by walking the sequences into an array (a first
// open, a pack); they must equal the per-number answer for every number.
import { expect, it } from "vitest";
import fc from "fast-check";
import { FlagMap } from "../../src/store/flags.js";
import { FlagInterner } from "../../src/store/record.js";
import type { Sequences } from "../../src/mh/sequences.js";

const N = 5000; // above the size where the array is used
const names = ["unseen", "flagged", "replied", "Deleted", "Draft", "todo", "cur", "Seen", "other-unseen"];

it("the array path equals the per-number path for every message", () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.constantFrom(...names), fc.integer({ min: 1, max: N + 50 }), fc.integer({ min: 0, max: 400 })),
        { maxLength: 40 }),
      fc.boolean(),
      (ranges, twoUnseen) => {
        const seqs: Sequences = new Map();
        for (const [name, start, len] of ranges) {
          const set = seqs.get(name) ?? new Set<number>();
          for (let n = start; n <= start + len; n++) set.add(n);
          seqs.set(name, set);
        }
        const map = new FlagMap(twoUnseen ? ["unseen", "other-unseen"] : ["unseen"]);
        const nums = Array.from({ length: N }, (_, i) => i + 1).filter((n) => n % 7 !== 3); // with gaps
        const interner = new FlagInterner();
        const dense = map.flagsByNumber(seqs, nums, interner);
        const each = map.flagsByNumber(seqs, new Set(nums), interner); // not an array: per number
        for (const n of nums) expect(dense.get(n)).toBe(each.get(n)); // interned: the same array
      },
    ),
    { numRuns: 60 },
  );
});
