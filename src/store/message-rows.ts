// Message rows in the state database, many per statement: 100,000 single-row INSERTs were most
// of a first open's insert, and 10,000 single-row UPDATEs most of a STORE's own time.
import { INSERT_BATCH, UPDATE_BATCHES, type Statements } from "./context.js";
import type { StoredRecord } from "./record.js";
import type { Flag } from "./contract.js";

export function insertRecords(s: Statements, mailboxId: number, recs: readonly StoredRecord[], modseq: number): void {
  let i = 0;
  if (recs.length >= INSERT_BATCH) {
    const args: Array<number | string> = new Array(INSERT_BATCH * 9);
    for (; i + INSERT_BATCH <= recs.length; i += INSERT_BATCH) {
      for (let j = 0; j < INSERT_BATCH; j++) {
        const r = recs[i + j];
        const o = j * 9;
        args[o] = mailboxId; args[o + 1] = r.uid; args[o + 2] = r.num; args[o + 3] = r.ino;
        args[o + 4] = r.fileSize; args[o + 5] = r.mtime; args[o + 6] = modseq; args[o + 7] = r.knownSize;
        args[o + 8] = flagText(r.flags);
      }
      s.insertMessages.run(args);
    }
  }
  for (; i < recs.length; i++) {
    const r = recs[i];
    s.insertMessage.run(mailboxId, r.uid, r.num, r.ino, r.fileSize, r.mtime, modseq, r.knownSize, flagText(r.flags));
  }
}

/** from this many records next to each other with the same new flags, one range UPDATE */
const RANGE_MIN = 8;

/**
 * New flags and MODSEQ of these records: one UPDATE per batch of records with the same flags.
 * `places`: each record's index in the folder's UID-ordered records (the rows in the database):
 * a run of neighbours with the same flags (STORE 1:10000) is one `uid BETWEEN` statement, as
 * no other row lies between their UIDs.
 */
export function updateFlags(
  s: Statements, mailboxId: number, recs: readonly StoredRecord[], modseq: number, places?: readonly number[],
): void {
  const byFlags = new Map<readonly Flag[], number[]>();
  for (let i = 0; i < recs.length; i++) {
    let group = byFlags.get(recs[i].flags);
    if (!group) byFlags.set(recs[i].flags, (group = []));
    group.push(i);
  }
  for (const [flags, group] of byFlags) {
    const text = flagText(flags);
    const uids: number[] = [];
    if (places) {
      group.sort((a, b) => places[a] - places[b]);
      for (let j = 0; j < group.length;) {
        let k = j;
        while (k + 1 < group.length && places[group[k + 1]] === places[group[k]] + 1) k++;
        if (k - j + 1 >= RANGE_MIN) {
          s.updateFlagsRange.run(text, modseq, mailboxId, recs[group[j]].uid, recs[group[k]].uid);
        } else {
          for (let m = j; m <= k; m++) uids.push(recs[group[m]].uid);
        }
        j = k + 1;
      }
    } else {
      for (const i of group) uids.push(recs[i].uid);
    }
    let i = 0;
    UPDATE_BATCHES.forEach((n, b) => {
      for (; i + n <= uids.length; i += n) s.updateFlagsMany[b].run(text, modseq, mailboxId, ...uids.slice(i, i + n));
    });
    for (; i < uids.length; i++) s.updateFlags.run(text, modseq, mailboxId, uids[i]);
  }
}

/** Flag lists are interned (see FlagInterner), so their text is made once per distinct set. */
const flagTexts = new WeakMap<readonly Flag[], string>();
export function flagText(flags: readonly Flag[]): string {
  let t = flagTexts.get(flags);
  if (t === undefined) flagTexts.set(flags, (t = flags.join(" ")));
  return t;
}
