// RFC 8474 object identifiers, all derived from what the store already keeps, so nothing new is
// stored and nothing drifts:
// - EMAILID: the digest of the message's bytes. A COPY, a MOVE, nmh's refile, sortm and
//   `folder -pack` keep the bytes, so the id follows the message; identical bytes delivered
//   twice share one id, which the RFC allows (§5.1).
// - THREADID: a digest of the thread's root Message-ID (the first of References, else
//   In-Reply-To, else the message's own), so replies in any folder share it; a message without
//   any Message-ID is a thread of its own. Prefixes keep the two kinds apart (§5.2).
// - MAILBOXID: the mailbox's UIDVALIDITY, which RENAME keeps and which is never handed out twice
//   for one user (store/db.ts nextUidValidity), so a deleted and re-created mailbox gets a new id.
import { createHash } from "node:crypto";
import type { MimeIndex } from "../message/model.js";

export function emailId(index: MimeIndex): string {
  return `M${index.digest}`;
}

export function threadId(index: MimeIndex): string {
  const { references, inReplyTo, messageId } = index.sort;
  const root = references[0] ?? inReplyTo ?? messageId;
  if (root === null) return `T${index.digest}`;
  return `T${createHash("sha256").update(root).digest("base64url").slice(0, 20)}`;
}

export function mailboxId(uidValidity: number): string {
  return `F${uidValidity.toString(36)}`;
}
