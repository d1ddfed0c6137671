// A mailbox's message records packed into one BLOB: reading 100,000 rows from SQLite costs far
// more than one buffer. Only a cache: valid for the `gen` it was written at, else the rows rule.

/** uid, num, ino, file size, mtime ms, modseq, CRLF size, index into the flag-set list */
const FIELDS = 8;

export interface PackedRecord {
  uid: number; num: number; ino: number; size: number; mtime: number; modseq: number; crlf: number;
  flags: string; // space separated, as in the messages table
}

export function packRecords(recs: Iterable<PackedRecord>, count: number): { data: Buffer; flags: string } {
  const arr = new Float64Array(count * FIELDS);
  const sets = new Map<string, number>();
  let i = 0;
  for (const r of recs) {
    let f = sets.get(r.flags);
    if (f === undefined) sets.set(r.flags, (f = sets.size));
    arr.set([r.uid, r.num, r.ino, r.size, r.mtime, r.modseq, r.crlf, f], i * FIELDS);
    i++;
  }
  if (i !== count) throw new Error(`snapshot: ${i} records, expected ${count}`);
  return { data: Buffer.from(arr.buffer, arr.byteOffset, arr.byteLength), flags: JSON.stringify([...sets.keys()]) };
}

/** Calls `each` per record in stored (UID) order; false for a malformed snapshot. */
export function unpackRecords(
  data: Buffer, flags: string,
  each: (uid: number, num: number, ino: number, size: number, mtime: number, modseq: number, crlf: number,
    flags: string) => void,
): boolean {
  if (data.byteLength % (FIELDS * 8) !== 0) return false;
  const copy = new Float64Array(data.byteLength / 8);
  new Uint8Array(copy.buffer).set(data);
  const sets = JSON.parse(flags) as string[];
  for (let o = 0; o < copy.length; o += FIELDS) {
    const f = sets[copy[o + 7]];
    if (f === undefined) return false;
    each(copy[o], copy[o + 1], copy[o + 2], copy[o + 3], copy[o + 4], copy[o + 5], copy[o + 6], f);
  }
  return true;
}
