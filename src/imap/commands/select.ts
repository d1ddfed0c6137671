import type { SessionContext } from "../context.js";
import type { Command } from "../../protocol/ast.js";
import { MailboxView } from "../view.js";
import { ok, no, bad, type Result, type CommandOf } from "../result.js";
import { qresyncLines } from "../condstore.js";
import { checkedMailbox } from "../mailbox-argument.js";
import { StoreError, type Mailbox } from "../../store/contract.js";
import { codes, existsResponse, listResponse, recentResponse, untaggedStatus } from "../../protocol/responses.js";
import { mailboxId } from "../object-ids.js";

/** SELECT and EXAMINE (RFC 3501 §6.3.1-2); a failed SELECT leaves no mailbox selected. */
export async function select(s: SessionContext, cmd: CommandOf<"SELECT" | "EXAMINE">): Promise<Result> {
  // QRESYNC must be enabled first (RFC 7162 §3.2.5); CONDSTORE here is an enabling parameter
  if (cmd.qresync && !s.enabled.has("QRESYNC")) return bad("QRESYNC parameter used without ENABLE QRESYNC.");
  if (cmd.condstore) s.enable("CONDSTORE");
  const hadMailbox = s.view !== null;
  s.select(null);
  if (hadMailbox) await s.send(untaggedStatus("OK", "Previous mailbox closed.", "CLOSED"));
  const name = checkedMailbox(cmd.mailbox);
  // store.mailbox() syncs the folder; the folder tree is walked (list) only to explain a refusal
  let mbox: Mailbox;
  try {
    mbox = await s.store.mailbox(name);
  } catch (e) {
    if (!(e instanceof StoreError && e.code === "NONEXISTENT")) throw e;
    const info = (await s.store.list()).find((i) => i.name === name);
    if (info?.noselect) return no(`Mailbox can't be selected: ${name}`, "CANNOT");
    throw e;
  }
  const readOnly = cmd.name === "EXAMINE";
  const view = new MailboxView(mbox, readOnly, s.shared.recent);
  s.select(view);
  // one write for the whole answer, not one per line
  const lines = [...view.flagsLines(), existsResponse(view.exists)];
  // IMAP4rev2 has no \Recent (RFC 9051 Appendix E, 12) and names the mailbox in a LIST (10)
  if (s.rev2) lines.push(listResponse("LIST", [], "/", mbox.name, undefined, true));
  else lines.push(recentResponse(view.recentCount));
  const firstUnseen = view.firstUnseen();
  if (firstUnseen > 0) lines.push(untaggedStatus("OK", "First unseen.", `UNSEEN ${firstUnseen}`));
  lines.push(untaggedStatus("OK", "UIDs valid", `UIDVALIDITY ${mbox.uidValidity}`),
    untaggedStatus("OK", "Predicted next UID", `UIDNEXT ${mbox.uidNext}`));
  if (s.condstore) lines.push(untaggedStatus("OK", "Highest", `HIGHESTMODSEQ ${mbox.highestModseq}`));
  lines.push(untaggedStatus("OK", "Ok", codes.mailboxId(mailboxId(mbox.uidValidity))));
  if (cmd.qresync) lines.push(...qresyncLines(view, cmd.qresync));
  await s.sendLines(lines);
  return readOnly ? ok("Examine completed.", "READ-ONLY") : ok("Select completed.", "READ-WRITE");
}
