// CREATE, DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE: thin over the store, which does the work on
// disk and refuses with StoreError codes (turned into NO [CODE] by the session).
import type { SessionContext } from "../context.js";
import type { Command } from "../../protocol/ast.js";
import { ok, no, type Result, type CommandOf } from "../result.js";
import { checkedMailbox, normaliseMailbox } from "../mailbox-argument.js";
import { codes } from "../../protocol/responses.js";
import { mailboxId } from "../object-ids.js";

const SPECIAL_USE = ["\\Sent", "\\Drafts", "\\Trash", "\\Junk", "\\Archive", "\\All", "\\Flagged"];

export async function create(s: SessionContext, cmd: CommandOf<"CREATE">): Promise<Result> {
  // RFC 3501: a trailing delimiter only says the client means to create children under it
  const name = checkedMailbox(cmd.mailbox.replace(/\/+$/, ""));
  if (name === "INBOX") return no("INBOX always exists.", "ALREADYEXISTS");
  const uses = (cmd.specialUse ?? []).map((u) => SPECIAL_USE.find((k) => k.toLowerCase() === u.toLowerCase()) ?? u);
  const unknown = uses.filter((u) => !SPECIAL_USE.includes(u));
  if (unknown.length) return no(`Unsupported special-use attribute: ${unknown.join(" ")}`, "USEATTR");
  if (uses.length > 1) return no("Only one special-use attribute per mailbox.", "USEATTR");
  await s.store.create(name, uses[0]);
  // RFC 8474 §4.1: the new mailbox's id in the tagged OK
  return ok("Create completed.", codes.mailboxId(mailboxId((await s.store.status(name)).uidValidity)));
}

export async function del(s: SessionContext, cmd: CommandOf<"DELETE">): Promise<Result> {
  const name = checkedMailbox(cmd.mailbox);
  if (name === "INBOX") return no("INBOX can't be deleted.", "CANNOT");
  if (s.view && s.view.mailbox.name === name) s.select(null);
  await s.store.delete(name);
  s.shared.recent.forget(name);
  return ok("Delete completed.");
}

export async function rename(s: SessionContext, cmd: CommandOf<"RENAME">): Promise<Result> {
  const from = checkedMailbox(cmd.from);
  const to = checkedMailbox(cmd.to);
  if (to === "INBOX") return no("Can't rename to INBOX.", "ALREADYEXISTS");
  if (from === to) return no("Mailbox already exists.", "ALREADYEXISTS");
  if (to.startsWith(from + "/")) return no("Can't rename a mailbox under itself.", "CANNOT");
  await s.store.rename(from, to);
  s.shared.recent.forget(from);
  // renamed away under this session (it, or a parent): deselected, as DELETE does, so the
  // client gets its OK instead of a BYE (other sessions with it selected get the BYE)
  if (s.view?.gone) s.select(null);
  return ok("Rename completed.");
}

export async function subscribe(
  s: SessionContext, cmd: CommandOf<"SUBSCRIBE" | "UNSUBSCRIBE">,
): Promise<Result> {
  const on = cmd.name === "SUBSCRIBE";
  // RFC 3501 allows subscribing to a name that does not exist (yet); unsubscribing never fails
  const name = on ? checkedMailbox(cmd.mailbox) : normaliseMailbox(cmd.mailbox);
  await s.store.subscribe(name, on);
  return ok(on ? "Subscribe completed." : "Unsubscribe completed.");
}
