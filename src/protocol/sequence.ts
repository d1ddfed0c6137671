// Sequence sets against a mailbox: resolve `*` and `$`, normalise to sorted disjoint ranges, and
// answer questions without materialising ranges (`1:4294967295` stays one range).
//
// Exported API (stable):
//   interface Range { start: number; end: number }          inclusive, start <= end
//   resolveSet(set: SequenceSet, max: number, saved?: Range[]): Range[]
//       `*` -> max (the largest seq number / UID in use; 0 when empty), `a:b` = `b:a`, `$` -> saved
//       (none when undefined); result sorted, merged, and without 0.
//   normaliseRanges(ranges): Range[]                        sort + merge (adjacent ranges merge)
//   rangesContain(ranges, n): boolean                       binary search
//   rangesCount(ranges): number
//   rangesMax(ranges): number                               0 for none
//   clipRanges(ranges, lo, hi): Range[]
//   intersectSorted(ranges, sorted: ArrayLike<number>): number[]   members of an ascending list
//       (e.g. the mailbox's UIDs) that are in the ranges; cost O(ranges * log n + result)
//   iterateRanges(ranges): Generator<number>                lazily, in ascending order
//   formatRanges(ranges): string                            `1:3,7`

import type { SequenceSet } from "./ast.js";

export interface Range {
  start: number;
  end: number;
}

export function resolveSet(set: SequenceSet, max: number, saved?: Range[]): Range[] {
  if (set.kind === "saved") return normaliseRanges(saved ?? []);
  const out: Range[] = [];
  for (const r of set.ranges) {
    const a = r.start === "*" ? max : r.start;
    const b = r.end === "*" ? max : r.end;
    let start = Math.min(a, b);
    const end = Math.max(a, b);
    if (end === 0) continue; // `*` in an empty mailbox names nothing
    if (start === 0) start = 1;
    out.push({ start, end });
  }
  return normaliseRanges(out);
}

export function normaliseRanges(ranges: readonly Range[]): Range[] {
  if (ranges.length <= 1) return ranges.map((r) => ({ start: r.start, end: r.end }));
  const sorted = [...ranges].sort((x, y) => x.start - y.start || x.end - y.end);
  const out: Range[] = [{ start: sorted[0].start, end: sorted[0].end }];
  for (let i = 1; i < sorted.length; i++) {
    const r = sorted[i];
    const last = out[out.length - 1];
    if (r.start <= last.end + 1) {
      if (r.end > last.end) last.end = r.end;
    } else out.push({ start: r.start, end: r.end });
  }
  return out;
}

function lowerBound(a: ArrayLike<number>, x: number, from = 0): number {
  let lo = from;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function rangesContain(ranges: readonly Range[], n: number): boolean {
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const r = ranges[mid];
    if (n < r.start) hi = mid - 1;
    else if (n > r.end) lo = mid + 1;
    else return true;
  }
  return false;
}

export function rangesCount(ranges: readonly Range[]): number {
  let n = 0;
  for (const r of ranges) n += r.end - r.start + 1;
  return n;
}

export function rangesMax(ranges: readonly Range[]): number {
  return ranges.length === 0 ? 0 : ranges[ranges.length - 1].end;
}

export function clipRanges(ranges: readonly Range[], lo: number, hi: number): Range[] {
  const out: Range[] = [];
  for (const r of ranges) {
    const start = Math.max(r.start, lo);
    const end = Math.min(r.end, hi);
    if (start <= end) out.push({ start, end });
  }
  return out;
}

export function intersectSorted(ranges: readonly Range[], sorted: ArrayLike<number>): number[] {
  const out: number[] = [];
  let i = 0;
  for (const r of ranges) {
    i = lowerBound(sorted, r.start, i);
    while (i < sorted.length && sorted[i] <= r.end) out.push(sorted[i++]);
    if (i >= sorted.length) break;
  }
  return out;
}

export function* iterateRanges(ranges: readonly Range[]): Generator<number> {
  for (const r of ranges) for (let n = r.start; n <= r.end; n++) yield n;
}

export function formatRanges(ranges: readonly Range[]): string {
  return ranges.map((r) => (r.start === r.end ? String(r.start) : `${r.start}:${r.end}`)).join(",");
}
