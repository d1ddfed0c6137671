// Where the record with a given message number sits in the UID-ordered records, so that a commit
// which changes the flags of a few numbers visits those records only. UIDs and numbers usually
// grow together (mail arrives at the end), so the records are then in number order too and a
// binary search finds a number; after a `sortm` they are not, and a Map is built once.
import { findSorted, type StoredRecord } from "./record.js";

export class NumIndex {
  private constructor(
    /** the records this index is for (compared by identity: a new array needs a new index) */
    readonly recs: readonly StoredRecord[],
    /** null while the records are in ascending number order */
    private byNum: Map<number, number> | null,
  ) {}

  static of(recs: readonly StoredRecord[]): NumIndex {
    for (let i = 1; i < recs.length; i++) {
      if (recs[i].num <= recs[i - 1].num) return new NumIndex(recs, mapOf(recs));
    }
    return new NumIndex(recs, null);
  }

  /** Index in `recs` of the record numbered `num`, or -1. */
  find(num: number): number {
    if (this.byNum !== null) return this.byNum.get(num) ?? -1;
    return findSorted(this.recs, num, (r) => r.num);
  }

  /**
   * The index for `next`: this index's records with some replaced by records of the same number
   * at the same place, and new records appended from `from` on. This index is used up (its Map,
   * if any, moves to the new one).
   */
  extend(next: readonly StoredRecord[], from: number): NumIndex {
    if (this.byNum !== null) {
      for (let i = from; i < next.length; i++) this.byNum.set(next[i].num, i);
      return new NumIndex(next, this.byNum);
    }
    // still in number order if the new records' numbers climb on from the last one
    for (let i = Math.max(from, 1); i < next.length; i++) {
      if (next[i].num <= next[i - 1].num) return new NumIndex(next, mapOf(next));
    }
    return new NumIndex(next, null);
  }
}

function mapOf(recs: readonly StoredRecord[]): Map<number, number> {
  const m = new Map<number, number>();
  for (let i = 0; i < recs.length; i++) m.set(recs[i].num, i);
  return m;
}
