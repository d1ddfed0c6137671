import type { SessionContext } from "../context.js";
import type { AppendMessage, CatenateMessage } from "../../protocol/ast.js";
import { StoreError, type Mailbox } from "../../store/contract.js";
import { ok, no, type Result, type CommandOf } from "../result.js";
import { checkedMailbox } from "../mailbox-argument.js";
import { catenate } from "../catenate.js";
import { binaryPartsToBase64 } from "../../message/binary-to-base64.js";
import { codes } from "../../protocol/responses.js";

/** A message's bytes as sent: a literal, or CATENATE's parts put together (RFC 4469). */
function asSent(s: SessionContext, m: AppendMessage | CatenateMessage, limit: number): Promise<{ data: Buffer; binary: boolean }> | AppendMessage {
  return "catenate" in m ? catenate(s, m.catenate, limit) : m;
}

/**
 * APPEND (RFC 3501 §6.3.11, MULTIAPPEND 3502, CATENATE 4469): all or nothing; APPENDUID (RFC 4315).
 * The destination is opened before any URL is read, so a missing one is TRYCREATE whatever the URLs say.
 */
export async function append(s: SessionContext, cmd: CommandOf<"APPEND">): Promise<Result> {
  const name = checkedMailbox(cmd.mailbox);
  const limit = s.shared.maxMessageSize;
  const literals = cmd.messages.filter((m): m is AppendMessage => !("catenate" in m));
  if (literals.some((m) => m.data.length > limit)) {
    return no(`Message is larger than ${limit} bytes.`, "TOOBIG");
  }
  if (literals.some((m) => m.data.length === 0)) return no("Can't save an empty message.");
  let mbox: Mailbox;
  try {
    mbox = await s.store.mailbox(name);
  } catch (e) {
    if (e instanceof StoreError && e.code === "NONEXISTENT") return no(`Mailbox doesn't exist: ${name}`, "TRYCREATE");
    throw e;
  }
  const msgs = [];
  for (const m of cmd.messages) {
    const { data, binary } = await asSent(s, m, limit);
    if (data.length === 0) return no("Can't save an empty message.");
    msgs.push({
      // a literal8's binary parts cannot live in a text file as sent: base64, as Dovecot stores them
      data: binary ? binaryPartsToBase64(data) : data,
      flags: m.flags, // \Recent is refused by the grammar
      internalDate: m.date,
    });
  }
  const uids = msgs.length === 1
    ? [await mbox.append(msgs[0].data, msgs[0].flags, msgs[0].internalDate)]
    : await mbox.appendMany(msgs);
  return ok("Append completed.", codes.appendUid(mbox.uidValidity, uids));
}
