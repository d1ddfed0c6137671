// The copy-on-write edit a read-modify-write of .mh_sequences hands to its caller: the sequences
// it was made from never change (readers share them), the result is what the same changes make
// of a plain copy, sets nobody changed are the very same objects, and the numbers it reports as
// touched include every number whose membership changed.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { SequencesEdit, removeEverywhere, setMember } from "../../src/mh/sequences-edit.js";
import type { Sequences } from "../../src/mh/sequences.js";

const names = ["unseen", "flagged", "replied", "cur", "todo"];
const seqsArb = fc.array(fc.tuple(fc.constantFrom(...names), fc.uniqueArray(fc.integer({ min: 1, max: 60 }), { maxLength: 30 })), { maxLength: 5 })
  .map((pairs) => new Map(pairs.map(([n, nums]) => [n, new Set(nums)])) as Sequences);
type Op =
  | { k: "member"; name: string; n: number; want: boolean }
  | { k: "removeAll"; n: number }
  | { k: "get"; name: string; n: number }
  | { k: "set"; name: string; nums: number[] }
  | { k: "delete"; name: string };
const num = fc.integer({ min: 1, max: 70 });
const nameArb = fc.constantFrom(...names, "new");
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ k: fc.constant("member" as const), name: nameArb, n: num, want: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant("removeAll" as const), n: num }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant("get" as const), name: nameArb, n: num }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant("set" as const), name: nameArb, nums: fc.array(num, { maxLength: 5 }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant("delete" as const), name: nameArb }) },
);

function run(seqs: Sequences, op: Op): void {
  switch (op.k) {
    case "member": return setMember(seqs, op.name, op.n, op.want);
    case "removeAll": return removeEverywhere(seqs, op.n);
    case "get": { seqs.get(op.name)?.add(op.n); return; }
    case "set": { seqs.set(op.name, new Set(op.nums)); return; }
    case "delete": { seqs.delete(op.name); return; }
  }
}
const plain = (s: Sequences) => [...s].map(([n, set]) => [n, [...set].sort((a, b) => a - b)]);
const copy = (s: Sequences): Sequences => new Map([...s].map(([n, set]) => [n, new Set(set)]));

describe("SequencesEdit", () => {
  it("leaves its base alone, equals the same changes made to a copy, and reports every changed number (1,000 runs)", () => {
    fc.assert(fc.property(seqsArb, fc.array(opArb, { maxLength: 12 }), (base, ops) => {
      const before = plain(base);
      const edit = new SequencesEdit(base);
      const mirror = copy(base);
      let handedOut = false;
      for (const op of ops) {
        if (op.k === "get" && edit.peek(op.name) !== undefined) handedOut = true;
        run(edit, op);
        run(mirror, op);
      }
      const out = edit.frozen();
      expect(plain(base)).toEqual(before);
      expect(plain(out)).toEqual(plain(mirror));
      // "nothing changed" (the file is then not written) is never said of a change
      if (!edit.changed) expect(plain(out)).toEqual(before);
      const touched = edit.touched;
      if (handedOut) {
        expect(touched).toBeNull(); // changed through get: not known
        return;
      }
      expect(touched).not.toBeNull();
      for (const name of new Set([...base.keys(), ...out.keys()])) {
        const a = base.get(name) ?? new Set<number>(), b = out.get(name) ?? new Set<number>();
        for (const n of a) if (!b.has(n)) expect(touched!.has(n)).toBe(true);
        for (const n of b) if (!a.has(n)) expect(touched!.has(n)).toBe(true);
      }
    }), { numRuns: 1000 });
  });

  it("copies only the sequences that change; one walked over is copied too", () => {
    const unseen = new Set([1, 2, 3]), flagged = new Set([2]);
    const base: Sequences = new Map([["unseen", unseen], ["flagged", flagged]]);
    const edit = new SequencesEdit(base);
    setMember(edit, "flagged", 3, true);
    setMember(edit, "unseen", 9, false); // not a member: nothing to do
    removeEverywhere(edit, 7);
    const out = edit.frozen();
    expect(out.get("unseen")).toBe(unseen);
    expect(out.get("flagged")).not.toBe(flagged);
    expect([...edit.touched!]).toEqual([3]);
    for (const set of edit.values()) set.add(99);
    expect([...unseen]).toEqual([1, 2, 3]);
    expect(edit.touched).toBeNull();
  });
});
