// CATENATE (RFC 4469): one APPEND message put together from TEXT literals and URL parts. A URL
// part is the referenced message's BODY[section]<partial> exactly as FETCH sends it (the same
// section resolution and piece writer), from any of the user's mailboxes. Every URL is resolved
// and sized before any part is copied, so a bad URL or a message over the limit costs no copying,
// and the message is then filled into one buffer of its final size, a part at a time.
import type { CatenatePart } from "../protocol/ast.js";
import { parseMessagePartUrl, UrlError, type MessagePartUrl } from "../protocol/imap-url.js";
import { codes } from "../protocol/responses.js";
import { partialPieces } from "../message/index.js";
import type { PlannedPiece } from "../message/crlf.js";
import { StoreError, type Mailbox } from "../store/contract.js";
import type { SessionContext } from "./context.js";
import { CommandFailure, no } from "./result.js";
import { checkedMailbox } from "./mailbox-argument.js";
import { messageCache } from "./message-cache.js";
import { bodySection, isFileRange, isGone, type OpenedMessage } from "./fetch/prepare.js";
import { writePieces, type SectionSink } from "./fetch/body-section.js";

/** A URL part resolved: which pieces of which message, and how many wire bytes they make. */
interface UrlPart {
  url: string;
  mbox: Mailbox;
  uid: number;
  plan: PlannedPiece[];
  size: number;
}

type Resolved = { text: Buffer } | UrlPart;

const badUrl = (url: string, why: string): CommandFailure => new CommandFailure(no(`${why}.`, codes.badUrl(url)));

/** The mailbox a URL names (the selected one for a relative URL) and the UIDVALIDITY it must have. */
async function urlMailbox(s: SessionContext, url: string, u: MessagePartUrl): Promise<{ mbox: Mailbox; uidValidity?: number }> {
  if (u.mailbox === undefined) {
    if (!s.view) throw badUrl(url, "Mailbox-relative IMAP URL, but no mailbox selected");
    // the base URL is the selected mailbox's, with its UIDVALIDITY (as Dovecot builds it)
    return { mbox: s.view.mailbox, uidValidity: s.view.mailbox.uidValidity };
  }
  try {
    return { mbox: await s.store.mailbox(checkedMailbox(u.mailbox)), uidValidity: u.uidValidity };
  } catch (e) {
    if (e instanceof CommandFailure) throw badUrl(url, e.result.text.replace(/\.$/, ""));
    if (e instanceof StoreError) throw badUrl(url, e.code === "NONEXISTENT" ? "Mailbox doesn't exist" : e.message.replace(/\.$/, ""));
    throw e;
  }
}

async function resolveUrl(s: SessionContext, url: string): Promise<UrlPart> {
  let u: MessagePartUrl;
  try {
    u = parseMessagePartUrl(url);
  } catch (e) {
    if (e instanceof UrlError) throw badUrl(url, e.message);
    throw e;
  }
  const { mbox, uidValidity } = await urlMailbox(s, url, u);
  if (uidValidity !== undefined && uidValidity !== mbox.uidValidity) throw badUrl(url, "Invalid UIDVALIDITY");
  if (!mbox.get(u.uid)) throw badUrl(url, "Message not found");
  // what resolving read (a nested part's header for HEADER.FIELDS) is let go at once: the
  // section holds the bytes it needs, and a part's file is opened again only to be copied
  const got: OpenedMessage = {};
  try {
    const index = await messageCache.index(mbox, u.uid);
    const sec = await bodySection(mbox, u.uid, index, u.section, got);
    if (!sec) throw badUrl(url, "Invalid section");
    const partial = u.partial && { offset: u.partial.offset, length: u.partial.length ?? Infinity };
    const { size, plan } = partialPieces(sec, partial);
    return { url, mbox, uid: u.uid, plan, size };
  } catch (e) {
    throw isGone(e) ? badUrl(url, "Message not found") : e;
  } finally {
    await got.bytes?.close();
  }
}

/** A URL part's bytes into `fill`, its message's file open only meanwhile. */
async function copyPart(fill: Filling, r: UrlPart): Promise<void> {
  const start = fill.at;
  let bytes;
  try {
    if (r.plan.some(({ piece }) => isFileRange(piece))) bytes = await r.mbox.messageBytes(r.uid);
    await writePieces(fill, r.plan, bytes);
  } catch (e) {
    throw isGone(e) ? badUrl(r.url, "Message not found") : e;
  } finally {
    await bytes?.close();
  }
  // a file that ended early: its message was replaced while we read it
  if (fill.at - start !== r.size) throw badUrl(r.url, "Message changed while it was read");
}

/** The message's bytes copied into one buffer as they come. */
class Filling implements SectionSink {
  at = 0;
  constructor(readonly out: Buffer) {}
  bytes(b: Buffer): void {
    if (this.at + b.length > this.out.length) throw new Error("a part grew while it was read");
    b.copy(this.out, this.at);
    this.at += b.length;
  }
  async stream(chunks: AsyncIterable<Buffer>): Promise<void> {
    for await (const c of chunks) this.bytes(c);
  }
}

/**
 * The bytes of a CATENATE message (wire form, CRLF), `binary` when its first part is a literal8
 * (then it is stored as such a literal is, as Dovecot decides). Throws CommandFailure: NO
 * [BADURL] for the first URL that names nothing readable, NO [TOOBIG] beyond `limit` bytes,
 * NO [UNKNOWN-CTE] for a later literal8 after a first part that is none.
 */
export async function catenate(
  s: SessionContext, parts: readonly CatenatePart[], limit: number,
): Promise<{ data: Buffer; binary: boolean }> {
  const binary = parts[0].kind === "TEXT" && parts[0].binary;
  const resolved: Resolved[] = [];
  let total = 0;
  for (const part of parts) {
    if (part.kind === "TEXT" && part.binary && !binary) {
      throw new CommandFailure(no("Binary input allowed only when the first part is binary.", "UNKNOWN-CTE"));
    }
    const r = part.kind === "TEXT" ? { text: part.data } : await resolveUrl(s, part.url);
    resolved.push(r);
    total += "text" in r ? r.text.length : r.size;
    if (total > limit) throw new CommandFailure(no(`Message is larger than ${limit} bytes.`, "TOOBIG"));
  }
  const fill = new Filling(Buffer.allocUnsafe(total));
  for (const r of resolved) {
    if ("text" in r) fill.bytes(r.text);
    else await copyPart(fill, r);
  }
  return { data: fill.out, binary };
}
