// Loading and saving a mailbox's records: the packed snapshot (see snapshot.ts) when it was
// written at the mailbox's current `gen`, else the rows. The snapshot also keeps the sequences
// the records' flags were worked out from (in `meta`, tied to the mailbox's UIDVALIDITY and the
// snapshot's gen), so a new process need not work them all out again.
import { formatSequences, parseSequences, type Sequences } from "../mh/sequences.js";
import type { StoreContext } from "./context.js";
import { flagText } from "./message-rows.js";
import { packRecords, unpackRecords } from "./packed-records.js";
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

interface SavedSeqs { uidvalidity: number; gen: number; unseen: string[]; text: string }

export function loadRecords(ctx: StoreContext, mailboxId: number, uidvalidity: number, gen: number, make: Make): Loaded {
  const recs: StoredRecord[] = [];
  const snap = ctx.stmts.getSnapshot.get(mailboxId) as { gen: number; data: Buffer; flags: string } | undefined;
  const add: Make = (...a) => {
    const r = make(...a);
    recs.push(r);
    return r;
  };
  if (snap && snap.gen === gen && unpackRecords(snap.data, snap.flags, add)) {
    return { recs, fromSnapshot: true, seqs: savedSeqs(ctx, mailboxId, uidvalidity, gen) };
  }
  recs.length = 0;
  const rows = ctx.stmts.messagesOf.all(mailboxId) as Array<[number, number, number, number, number, number, number, string]>;
  for (const row of rows) add(...row);
  return { recs, fromSnapshot: false, seqs: null };
}

export function saveRecords(
  ctx: StoreContext, mailboxId: number, uidvalidity: number, gen: number, recs: readonly StoredRecord[],
  seqs: Sequences | null,
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
  ctx.db.transaction(() => {
    ctx.stmts.putSnapshot.run(mailboxId, gen, data, flags);
    if (seqs) {
      const saved: SavedSeqs = { uidvalidity, gen, unseen: ctx.flags.unseen, text: formatSequences(seqs) };
      ctx.stmts.putSnapshotSeqs.run(mailboxId, JSON.stringify(saved));
    } else {
      ctx.stmts.deleteSnapshotSeqs.run(mailboxId);
    }
  })();
}

/** The sequences saved with this snapshot, if made with the same unseen sequence names. */
function savedSeqs(ctx: StoreContext, mailboxId: number, uidvalidity: number, gen: number): Sequences | null {
  const json = ctx.stmts.getSnapshotSeqs.get(mailboxId) as string | undefined;
  if (json === undefined) return null;
  try {
    const saved = JSON.parse(json) as SavedSeqs;
    // another mailbox that had this id, or another snapshot: not these records' sequences
    if (saved.uidvalidity !== uidvalidity || saved.gen !== gen) return null;
    if (saved.unseen.join(" ") !== ctx.flags.unseen.join(" ")) return null; // the profile changed
    return parseSequences(saved.text);
  } catch {
    return null; // only a shortcut: all flags are worked out again
  }
}
