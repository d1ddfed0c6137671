import type { SessionContext } from "../context.js";
import type { Command, StatusItem } from "../../protocol/ast.js";
import { ok, no, bad, type Result, type CommandOf } from "../result.js";
import { checkedMailbox } from "../mailbox-argument.js";
import { statusResponse } from "../../protocol/responses.js";
import { mailboxId } from "../object-ids.js";

/** `* STATUS name (ITEM n ...)` for one mailbox, items in the order asked. */
export async function statusLine(s: SessionContext, name: string, items: StatusItem[]): Promise<string> {
  const st = await s.store.status(name);
  let recent = st.recent;
  if (items.includes("RECENT")) {
    const open = await s.store.mailbox(name);
    recent = s.shared.recent.unclaimed(name, open.messages().map((m) => m.uid), open.newFrom);
  }
  const value = (i: StatusItem): number | string | null => {
    switch (i) {
      case "MESSAGES": return st.messages;
      case "RECENT": return recent;
      case "UIDNEXT": return st.uidNext;
      case "UIDVALIDITY": return st.uidValidity;
      case "UNSEEN": return st.unseen;
      case "HIGHESTMODSEQ": return st.highestModseq;
      case "SIZE": return st.size;
      case "DELETED": return st.deleted;
      case "DELETED-STORAGE": return st.deletedStorage;
      case "APPENDLIMIT": return s.shared.maxMessageSize;
      case "MAILBOXID": return `(${mailboxId(st.uidValidity)})`;
    }
  };
  return statusResponse(name, items.map((i) => [i, value(i)] as const), s.utf8);
}

export async function status(s: SessionContext, cmd: CommandOf<"STATUS">): Promise<Result> {
  const name = checkedMailbox(cmd.mailbox);
  // RFC 9051 has no RECENT (Appendix E, 12)
  if (s.rev2 && cmd.items.includes("RECENT")) return bad("RECENT is not a STATUS item in IMAP4rev2.");
  const infos = await s.store.list();
  if (infos.find((i) => i.name === name)?.noselect) return no(`Mailbox can't be selected: ${name}`, "CANNOT");
  await s.send(await statusLine(s, name, cmd.items));
  return ok("Status completed.");
}
