// Loading and saving a mailbox's records: the packed snapshot (see snapshot.ts) when it was
// written at the mailbox's current `gen`, else the rows. The snapshot also keeps the sequences
// the records' flags were worked out from, so a new process need not work them all out again.
import { formatSequences, parseSequences, type Sequences } from "../mh/sequences.js";
import type { StoreContext } from "./context.js";
import { flagText } from "./message-rows.js";
import { packRecords, unpackRecords } from "./snapshot.js";
import type { StoredRecord } from "./record.js";

type Make = (uid: number, num: number, ino: number, size: number, mtime: number, modseq: number, crlf: number,
  flags: string) => StoredRecord;

export interface Loaded {
  recs: StoredRecord[];
  /** from the snapshot (else the rows) */
  fromSnapshot: boolean;
  /** the sequences the flags were worked out from, when known */
  seqs: Sequences | null;
}

export function loadRecords(ctx: StoreContext, mailboxId: number, gen: number, make: Make): Loaded {
  const recs: StoredRecord[] = [];
  const snap = ctx.stmts.getSnapshot.get(mailboxId) as
    { gen: number; data: Buffer; flags: string; seqs: string | null } | undefined;
  const add: Make = (...a) => {
    const r = make(...a);
    recs.push(r);
    return r;
  };
  if (snap && snap.gen === gen && unpackRecords(snap.data, snap.flags, add)) {
    return { recs, fromSnapshot: true, seqs: savedSeqs(ctx, snap.seqs) };
  }
  recs.length = 0;
  const rows = ctx.stmts.messagesOf.all(mailboxId) as Array<[number, number, number, number, number, number, number, string]>;
  for (const row of rows) add(...row);
  return { recs, fromSnapshot: false, seqs: null };
}

export function saveRecords(
  ctx: StoreContext, mailboxId: number, gen: number, recs: readonly StoredRecord[], seqs: Sequences | null,
): void {
  const { data, flags } = packRecords(
    (function* () {
      for (const r of recs) {
        yield { uid: r.uid, num: r.num, ino: r.ino, size: r.fileSize, mtime: r.mtime, modseq: r.modseq, crlf: r.knownSize,
          flags: flagText(r.flags) };
      }
    })(),
    recs.length,
  );
  const saved = seqs && JSON.stringify({ unseen: ctx.flags.unseen, text: formatSequences(seqs) });
  ctx.stmts.putSnapshot.run(mailboxId, gen, data, flags, saved);
}

/** The sequences saved with the snapshot, if made with the same unseen sequence names. */
function savedSeqs(ctx: StoreContext, json: string | null): Sequences | null {
  if (json === null) return null;
  try {
    const saved = JSON.parse(json) as { unseen: string[]; text: string };
    if (saved.unseen.join(" ") !== ctx.flags.unseen.join(" ")) return null; // the profile changed
    return parseSequences(saved.text);
  } catch {
    return null; // only a shortcut: all flags are worked out again
  }
}
