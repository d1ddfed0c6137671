import type { SelectedContext } from "../context.js";
import type { Command } from "../../protocol/ast.js";
import { StoreError } from "../../store/contract.js";
import { ok, no, type Result, type CommandOf } from "../result.js";
import { checkedMailbox } from "../mailbox-argument.js";
import { codes, untaggedStatus } from "../../protocol/responses.js";

/** COPY and MOVE with their UID forms (RFC 3501 §6.4.7, RFC 6851, COPYUID from RFC 4315). */
export async function copy(s: SelectedContext, cmd: CommandOf<"COPY" | "MOVE">): Promise<Result> {
  const view = s.view;
  const isMove = cmd.name === "MOVE";
  if (isMove && view.readOnly) return no("Mailbox is read-only.", "READ-ONLY");
  const uids = cmd.uid ? view.resolveUid(cmd.set) : view.resolveSeq(cmd.set);
  const name = checkedMailbox(cmd.mailbox);
  let dest;
  try {
    dest = await s.store.mailbox(name);
  } catch (e) {
    if (e instanceof StoreError && e.code === "NONEXISTENT") return no(`Mailbox doesn't exist: ${name}`, "TRYCREATE");
    throw e;
  }
  const present = uids.filter((u) => view.record(u) !== undefined);
  if (present.length < uids.length && !cmd.uid) {
    // RFC 2180 §4.4.1: copying a message expunged elsewhere fails as a whole
    return no("Some of the requested messages no longer exist.", "EXPUNGEISSUED");
  }
  if (present.length === 0) return ok(isMove ? "No messages moved." : "No messages copied.");
  // MOVE is one journalled step in the store: a crash never leaves a message in both folders
  const pairs = isMove ? await view.mailbox.moveTo(present, dest) : await view.mailbox.copyTo(present, dest);
  pairs.sort((a, b) => a[0] - b[0]);
  const code = pairs.length ? codes.copyUid(dest.uidValidity, pairs.map((p) => p[0]), pairs.map((p) => p[1])) : undefined;
  if (!isMove) return ok("Copy completed.", code);
  if (code) await s.send(untaggedStatus("OK", "Moved UIDs.", code));
  // the EXPUNGE responses follow from the view's flush, before the tagged OK
  return ok("Move completed.");
}
