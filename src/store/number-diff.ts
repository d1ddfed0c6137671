// What a rescan of a folder found, compared with the records: numbers gone, numbers new. At
// 100,000 messages a Map and a Set of all numbers cost more than the readdir itself; both lists
// are sorted, so one merge walk does it.
import type { StoredRecord } from "./record.js";

export interface NumberDiff {
  /** some record's number is no longer on disk */
  missing: boolean;
  /** numbers on disk that no record has, ascending */
  fresh: number[];
  /** the highest record number that is not one of `ours` */
  baseMax: number;
}

/** `disk` ascending; `ours` are numbers we added since the last scan. */
export function diffNumbers(recs: readonly StoredRecord[], disk: readonly number[], ours: ReadonlySet<number>): NumberDiff {
  const known = new Float64Array(recs.length);
  let sorted = true;
  let baseMax = 0;
  for (let i = 0; i < recs.length; i++) {
    const n = recs[i].num;
    known[i] = n;
    if (i > 0 && n < known[i - 1]) sorted = false;
    if (n > baseMax && (ours.size === 0 || !ours.has(n))) baseMax = n;
  }
  if (!sorted) known.sort(); // after sortm the UID order is not the number order
  let missing = false;
  const fresh: number[] = [];
  let i = 0, j = 0;
  while (i < known.length && j < disk.length) {
    if (known[i] === disk[j]) {
      i++;
      j++;
    } else if (known[i] < disk[j]) {
      missing = true;
      i++;
    } else {
      fresh.push(disk[j++]);
    }
  }
  if (i < known.length) missing = true;
  while (j < disk.length) fresh.push(disk[j++]);
  return { missing, fresh, baseMax };
}
