import type { SelectedContext } from "../context.js";
import type { Command } from "../../protocol/ast.js";
import { ok, no, type Result, type CommandOf } from "../result.js";

/** Messages marked \Deleted among `uids` (or the whole view), still present in the store. */
function deletedUids(s: SelectedContext, uids?: readonly number[]): number[] {
  const view = s.view;
  if (!uids) return view.deletedUids();
  return uids.filter((u) => view.record(u)?.flags.includes("\\Deleted"));
}

/** EXPUNGE and UID EXPUNGE (RFC 4315): the EXPUNGE responses are sent by the view's flush. */
export async function expunge(s: SelectedContext, cmd: CommandOf<"EXPUNGE">): Promise<Result> {
  const view = s.view;
  if (view.readOnly) return no("Mailbox is read-only.", "READ-ONLY");
  const uids = deletedUids(s, cmd.uid ? view.resolveUid(cmd.set) : undefined);
  if (uids.length) await view.mailbox.expunge(uids);
  return ok("Expunge completed.");
}

/** CLOSE: expunge silently (unless read-only), then leave the selected state. */
export async function close(s: SelectedContext): Promise<Result> {
  const view = s.view;
  if (!view.readOnly) {
    const uids = deletedUids(s);
    if (uids.length) await view.mailbox.expunge(uids);
  }
  s.select(null);
  return ok("Close completed.");
}
