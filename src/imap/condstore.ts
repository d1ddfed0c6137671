// CONDSTORE and QRESYNC (RFC 7162) pieces shared by SELECT, FETCH and SEARCH: which known
// messages changed since a MODSEQ, which UIDs vanished since then, and the untagged responses
// that tell a resynchronising client exactly that.
import type { QresyncParams, SequenceSet } from "../protocol/ast.js";
import type { MailboxView } from "./view.js";
import type { SessionContext } from "./context.js";
import { fetchItemsResponse, untaggedStatus, vanishedResponse } from "../protocol/responses.js";

/** Whether `uid` is in a UID set as the client wrote it (`*` = the highest UID in use). */
export function uidInSet(uid: number, set: SequenceSet, star: number): boolean {
  if (set.kind !== "set") return false;
  return set.ranges.some((r) => {
    const a = r.start === "*" ? star : r.start;
    const b = r.end === "*" ? star : r.end;
    return uid >= Math.min(a, b) && uid <= Math.max(a, b);
  });
}

/** UIDs expunged after `modseq`, limited to `within` (the client's known UIDs), ascending. */
export function vanishedSince(view: MailboxView, modseq: number, within?: SequenceSet): number[] {
  const star = Math.max(view.mailbox.uidNext - 1, 0);
  return view.mailbox.expungedSince(modseq)
    .filter((u) => !within || uidInSet(u, within, star))
    .sort((a, b) => a - b);
}

/** `* VANISHED (EARLIER) set`, or nothing when no UID vanished. */
export function vanishedEarlier(uids: number[]): string[] {
  return uids.length ? [vanishedResponse(uids, true)] : [];
}

/**
 * SELECT/EXAMINE ... (QRESYNC (...)) after the usual responses (RFC 7162 §3.2.5): when the
 * UIDVALIDITY matches, what vanished since the client's MODSEQ and a FETCH (UID FLAGS MODSEQ)
 * for every message changed since then, as `UID FETCH known (FLAGS) (CHANGEDSINCE m VANISHED)`.
 * The sequence match data only narrows what the server must send; ours is exact without it.
 */
export function qresyncLines(view: MailboxView, q: QresyncParams): string[] {
  if (q.uidValidity !== view.mailbox.uidValidity) return [];
  const star = Math.max(view.mailbox.uidNext - 1, 0);
  const known = q.knownUids;
  const out = vanishedEarlier(vanishedSince(view, q.modseq, known));
  for (const uid of view.allUids()) {
    if (known && !uidInSet(uid, known, star)) continue;
    const rec = view.record(uid);
    if (!rec || rec.modseq <= q.modseq) continue;
    view.markReported(rec);
    out.push(fetchItemsResponse(view.seqOf(uid), view.fetchFlags(rec, true)));
  }
  return out;
}

/**
 * A CONDSTORE enabling command (FETCH MODSEQ/CHANGEDSINCE, STORE UNCHANGEDSINCE, SEARCH MODSEQ)
 * switches CONDSTORE on; the first one in the selected state tells the mailbox's HIGHESTMODSEQ
 * (RFC 7162 §3.1, as Dovecot does).
 */
export async function enableCondstore(s: SessionContext): Promise<void> {
  if (s.condstore) return;
  s.enable("CONDSTORE");
  if (s.view) await s.send(untaggedStatus("OK", "Highest", `HIGHESTMODSEQ ${s.view.mailbox.highestModseq}`));
}
