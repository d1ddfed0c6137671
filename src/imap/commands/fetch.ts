// FETCH / UID FETCH (RFC 3501 §6.4.5), the command's driver (Dovecot's cmd-fetch.c): VANISHED
// and CHANGEDSINCE (RFC 7162), \Seen first, then one response per message. What each item needs
// and how it is written is the item table's (../fetch/items.ts); readying a message before its
// response starts is ../fetch/prepare.ts's; every byte of syntax is the response writer's
// (protocol/fetch-response.ts). A message expunged meanwhile is skipped cleanly and the answer
// is Dovecot's: OK [EXPUNGEISSUED] (RFC 2180 §4.1 leaves it open; clients and imaptest count a
// NO as a failure).
import type { SelectedContext } from "../context.js";
import type { FetchAtt } from "../../protocol/ast.js";
import { FetchResponseWriter, LiteralLengthError } from "../../protocol/fetch-response.js";
import type { MessageRecord } from "../../store/contract.js";
import type { MailboxView } from "../view.js";
import { ok, bad, BrokenResponse, type Result, type CommandOf } from "../result.js";
import { enableCondstore, vanishedEarlier, vanishedSince } from "../condstore.js";
import { TimeSlice } from "../time-slice.js";
import { fetchItem, flagsItem, modseqItem, type FetchItem } from "../fetch/items.js";
import { FetchPlan, Preparation, type Prepared } from "../fetch/prepare.js";

export async function fetch(s: SelectedContext, cmd: CommandOf<"FETCH">): Promise<Result> {
  const view = s.view;
  if (cmd.vanished && !(cmd.uid && cmd.changedSince !== undefined)) {
    return bad("VANISHED needs UID FETCH with CHANGEDSINCE.");
  }
  if (cmd.vanished && !s.enabled.has("QRESYNC")) return bad("VANISHED needs ENABLE QRESYNC first.");
  // CHANGEDSINCE and MODSEQ are CONDSTORE enabling (RFC 7162 §3.1)
  if (cmd.changedSince !== undefined || cmd.atts.some((a) => a.kind === "MODSEQ")) await enableCondstore(s);
  let uids = cmd.uid ? view.resolveUid(cmd.set) : view.resolveSeq(cmd.set);
  let atts: FetchAtt[] = cmd.uid && !cmd.atts.some((a) => a.kind === "UID") ? [{ kind: "UID" }, ...cmd.atts] : cmd.atts;
  const since = cmd.changedSince;
  if (since !== undefined) {
    // RFC 7162 §3.1.4.1: only messages changed since, and MODSEQ is implied
    if (cmd.vanished) for (const line of vanishedEarlier(vanishedSince(view, since, cmd.set))) await s.send(line);
    uids = uids.filter((u) => (view.record(u)?.modseq ?? 0) > since);
    if (!atts.some((a) => a.kind === "MODSEQ")) atts = [...atts, { kind: "MODSEQ" }];
  }
  const items = atts.map(fetchItem);
  const plan = new FetchPlan(items);

  // \Seen first (RFC 3501: non-PEEK body fetches set it); the new flags go out in this FETCH
  const seenNow = new Set<number>();
  if (!view.readOnly && items.some((i) => i.setsSeen)) {
    const unseen = uids.filter((u) => { const r = view.record(u); return r && !r.flags.includes("\\Seen"); });
    if (unseen.length) {
      const res = await view.mailbox.storeFlags(unseen, "add", ["\\Seen"]);
      for (const r of res.changed) seenNow.add(r.uid);
    }
  }
  const wantsFlags = atts.some((a) => a.kind === "FLAGS");
  // under CONDSTORE every FETCH that tells flags tells their MODSEQ too (RFC 7162 §3.1)
  const addModseq = s.condstore && !atts.some((a) => a.kind === "MODSEQ");
  let missing = 0;
  const w = new FetchResponseWriter((b) => s.write(b));
  let count = 0;
  const slice = plan.readsSizes ? new TimeSlice() : null;
  const lookup = (uid: number) => {
    const rec = view.record(uid);
    const seq = view.seqOf(uid);
    return rec && seq ? { rec, seq } : null;
  };
  const ahead = new Preparation(view.mailbox, plan, lookup);
  try {
    for (let i = 0; i < uids.length; i++) {
      const uid = uids[i];
      const rec = view.record(uid);
      const seq = view.seqOf(uid);
      if (!rec || !seq) {
        await ahead.skip();
        missing++;
        continue;
      }
      const flagsToo = !wantsFlags && seenNow.has(uid);
      const modseqToo = addModseq && (wantsFlags || seenNow.has(uid));
      if (plan.recordOnly) {
        // UID FETCH 1:* (UID FLAGS) of 100k messages: synchronous, no per-message promises
        w.begin(seq);
        for (const item of items) item.render(w, rec, null, view);
        implied(w, rec, view, flagsToo, modseqToo);
        if ((++count & 255) === 0 && w.full) await w.flush();
      } else {
        const taken = ahead.take(uids, i, rec, seq);
        const p = taken instanceof Promise ? await taken : taken;
        if (!p) { missing++; continue; }
        try {
          // a warm message is written without a promise; one streamed from the file is awaited
          const writing = writeResponse(w, view, p, items, 0, flagsToo, modseqToo);
          if (writing) await writing;
        } catch (e) {
          // the file changed under us (it should not: IMAP messages are immutable)
          if (e instanceof LiteralLengthError) throw new BrokenResponse(`UID ${p.rec.uid}: ${e.message}`);
          throw e;
        } finally {
          if (p.bytes) await p.bytes.close();
        }
        if (w.full) await w.flush();
      }
      if (wantsFlags || seenNow.has(uid)) view.markReported(rec);
      if (slice?.due()) await slice.next();
    }
  } finally {
    // an error left prepared messages behind: close their bytes
    await ahead.close();
    await w.flush();
  }
  if (missing) return ok("Some messages were already expunged.", "EXPUNGEISSUED");
  return ok("Fetch completed.");
}

/**
 * One prepared message's response from item `from` on; the record items tell the record as it
 * is when written. Returns a promise only once an item does (a literal streamed from the file).
 */
function writeResponse(
  w: FetchResponseWriter, view: MailboxView, p: Prepared, items: readonly FetchItem[], from: number,
  flagsToo: boolean, modseqToo: boolean,
): void | Promise<void> {
  if (from === 0) w.begin(p.seq);
  for (let k = from; k < items.length; k++) {
    const item = items[k];
    const done = item.render(w, item.needs === "record" ? (view.record(p.rec.uid) ?? p.rec) : p.rec, p, view);
    if (done) return done.then(() => writeResponse(w, view, p, items, k + 1, flagsToo, modseqToo));
  }
  implied(w, view.record(p.rec.uid) ?? p.rec, view, flagsToo, modseqToo);
}

/** The FLAGS and MODSEQ items a response carries unasked, and its end. */
function implied(w: FetchResponseWriter, rec: MessageRecord, view: MailboxView, flags: boolean, modseq: boolean): void {
  if (flags) flagsItem.render(w, rec, null, view);
  if (modseq) modseqItem.render(w, rec, null, view);
  w.end();
}
