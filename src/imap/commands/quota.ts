// QUOTA (RFC 9208): one quota root per user, over all of its mailboxes, named as Dovecot names
// its own ("User quota"). SETQUOTA is refused: limits are the administrator's (password file or
// asimapd's default), as Dovecot refuses it to users.
import type { SessionContext } from "../context.js";
import type { QuotaRoot } from "../../store/contract.js";
import { ok, no, type Result, type CommandOf } from "../result.js";
import { checkedMailbox } from "../mailbox-argument.js";
import { quotaResponse, quotarootResponse } from "../../protocol/responses.js";

/** `* QUOTA root (...)` with each limited resource's usage and limit. */
async function quotaLine(q: QuotaRoot): Promise<string> {
  const u = await q.usage();
  const res: Array<[string, number, number]> = [];
  if (q.limits.storage !== undefined) res.push(["STORAGE", u.storage, q.limits.storage]);
  if (q.limits.messages !== undefined) res.push(["MESSAGE", u.messages, q.limits.messages]);
  return quotaResponse(q.name, res);
}

export async function getquota(s: SessionContext, cmd: CommandOf<"GETQUOTA">): Promise<Result> {
  // the name is compared exactly, as Dovecot does (RFC 9208 §3.2: an opaque string)
  if (cmd.root !== s.store.quota.name) return no("Quota root doesn't exist.", "NONEXISTENT");
  await s.send(await quotaLine(s.store.quota));
  return ok("Getquota completed.");
}

/** Any mailbox name, existing or not (RFC 9208 §4.1.2: the root it would have). */
export async function getquotaroot(s: SessionContext, cmd: CommandOf<"GETQUOTAROOT">): Promise<Result> {
  const name = checkedMailbox(cmd.mailbox);
  await s.send(quotarootResponse(name, [s.store.quota.name], s.utf8));
  await s.send(await quotaLine(s.store.quota));
  return ok("Getquotaroot completed.");
}

export async function setquota(): Promise<Result> {
  return no("Quota can be changed only by the administrator.", "NOPERM");
}
