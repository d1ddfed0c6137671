// Numbers (UIDs or sequence numbers) as a sequence set, as SEARCHRES's `$` and the pinned
// search programs of UPDATE contexts (RFC 5267) need them.
import type { SequenceSet } from "../../protocol/ast.js";

const EMPTY: SequenceSet = { kind: "set", ranges: [] };

/** Numbers as a set of single numbers (empty: a set naming nothing). */
export function asSet(nums: readonly number[]): SequenceSet {
  return nums.length ? { kind: "set", ranges: nums.map((n) => ({ start: n, end: n })) } : EMPTY;
}
