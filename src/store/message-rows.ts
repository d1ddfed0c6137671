// New message rows in the state database, INSERT_BATCH per statement: 100,000 single-row runs
// were most of a first open's insert.
import { INSERT_BATCH, type Statements } from "./context.js";
import type { StoredRecord } from "./record.js";
import type { Flag } from "./types.js";

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

/** Flag lists are interned (see FlagInterner), so their text is made once per distinct set. */
const flagTexts = new WeakMap<readonly Flag[], string>();
export function flagText(flags: readonly Flag[]): string {
  let t = flagTexts.get(flags);
  if (t === undefined) flagTexts.set(flags, (t = flags.join(" ")));
  return t;
}
