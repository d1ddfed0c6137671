import type { SelectedContext } from "../context.js";
import type { Command } from "../../protocol/ast.js";
import { ok, no, type Result, type CommandOf } from "../result.js";
import { enableCondstore } from "../condstore.js";
import { codes, fetchItemsResponse, modseqFetchItems } from "../../protocol/responses.js";

/** STORE / UID STORE (RFC 3501 §6.4.6); UNCHANGEDSINCE answers [MODIFIED ...] (RFC 7162). */
export async function store(s: SelectedContext, cmd: CommandOf<"STORE">): Promise<Result> {
  const view = s.view;
  if (view.readOnly) return no("Mailbox is read-only.", "READ-ONLY");
  // UNCHANGEDSINCE is CONDSTORE enabling (RFC 7162 §3.1)
  if (cmd.unchangedSince !== undefined) await enableCondstore(s);
  const uids = cmd.uid ? view.resolveUid(cmd.set) : view.resolveSeq(cmd.set);
  const flags = cmd.flags; // \Recent is refused by the grammar (RFC 3501 §2.3.2)
  // a message expunged by another session and not yet told is left out; the answer stays OK,
  // as Dovecot's, with or without .SILENT (RFC 2180 §4.2.1; a NO is a failure to clients and imaptest)
  const present = uids.filter((u) => view.record(u) !== undefined);
  const res = present.length
    ? await view.mailbox.storeFlags(present, cmd.op, flags, cmd.unchangedSince)
    : { changed: [], modified: [] };
  for (const rec of res.changed) view.markReported(rec);
  // the responses go out in a few large writes (10k one-line writes cost more than the STORE)
  const lines = view.announceKeywords(res.changed);
  const modified = new Set(res.modified);
  if (!cmd.silent) {
    for (const uid of present) {
      if (modified.has(uid)) continue;
      const rec = view.record(uid);
      const seq = view.seqOf(uid);
      if (!rec || !seq) continue;
      view.markReported(rec);
      lines.push(fetchItemsResponse(seq, view.fetchFlags(rec, cmd.uid)));
    }
  } else if (s.condstore) {
    // .SILENT leaves out FLAGS, but under CONDSTORE the new MODSEQ is still told (RFC 7162 §3.1.3)
    for (const rec of res.changed) {
      const seq = view.seqOf(rec.uid);
      if (!seq) continue;
      lines.push(fetchItemsResponse(seq, modseqFetchItems(rec.modseq, cmd.uid || view.vanished ? rec.uid : undefined)));
    }
  }
  await s.sendLines(lines);
  if (modified.size) {
    const shown = cmd.uid ? [...modified] : [...modified].map((u) => view.seqOf(u));
    return ok("Conditional store failed.", codes.modified(shown));
  }
  return ok("Store completed.");
}
