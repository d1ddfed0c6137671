import type { SessionContext } from "../context.js";
import type { Command } from "../../protocol/ast.js";
import { StoreError } from "../../store/contract.js";
import { ok, no, type Result, type CommandOf } from "../result.js";
import { checkedMailbox } from "../mailbox-argument.js";
import { binaryPartsToBase64 } from "../../message/binary-to-base64.js";
import { codes } from "../../protocol/responses.js";

/** APPEND (RFC 3501 §6.3.11, MULTIAPPEND 3502): all or nothing; APPENDUID (RFC 4315). */
export async function append(s: SessionContext, cmd: CommandOf<"APPEND">): Promise<Result> {
  const name = checkedMailbox(cmd.mailbox);
  const limit = s.shared.maxMessageSize;
  if (cmd.messages.some((m) => m.data.length > limit)) {
    return no(`Message is larger than ${limit} bytes.`, "TOOBIG");
  }
  if (cmd.messages.some((m) => m.data.length === 0)) return no("Can't save an empty message.");
  let mbox;
  try {
    mbox = await s.store.mailbox(name);
  } catch (e) {
    if (e instanceof StoreError && e.code === "NONEXISTENT") return no(`Mailbox doesn't exist: ${name}`, "TRYCREATE");
    throw e;
  }
  const msgs = cmd.messages.map((m) => ({
    // a literal8's binary parts cannot live in a text file as sent: base64, as Dovecot stores them
    data: m.binary ? binaryPartsToBase64(m.data) : m.data,
    flags: m.flags, // \Recent is refused by the grammar
    internalDate: m.date,
  }));
  const uids = msgs.length === 1
    ? [await mbox.append(msgs[0].data, msgs[0].flags, msgs[0].internalDate)]
    : await mbox.appendMany(msgs);
  return ok("Append completed.", codes.appendUid(mbox.uidValidity, uids));
}
