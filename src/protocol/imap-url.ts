// IMAP URLs naming a message or a part of one (RFC 5092), as CATENATE (RFC 4469) takes them:
// relative only, `/mailbox;UIDVALIDITY=n/;UID=n/;SECTION=x/;PARTIAL=a.b` or, against the
// selected mailbox, `;UID=n/...`. The section is read by the grammar's own sectionSpec rule, so
// a URL names exactly what FETCH BODY[section] names.
import type { Section } from "./ast.js";
import { parseRule, ParseError } from "./parse.js";

export interface MessagePartUrl {
  /** Unicode; absent: the selected mailbox (a URL relative to it) */
  mailbox?: string;
  uidValidity?: number;
  uid: number;
  section: Section;
  /** length absent: to the end */
  partial?: { offset: number; length?: number };
}

/** Why a URL names nothing we can read: the text of its NO [BADURL]. */
export class UrlError extends Error {}

const NZ = "([1-9][0-9]{0,9})";
const TAIL = `/;UID=${NZ}(?:/;SECTION=([^;]*?))?(?:/;PARTIAL=([0-9]{1,10})(?:\\.${NZ})?)?(;.*)?`;
const ABSOLUTE = new RegExp(`^/([^;]*?)(?:;UIDVALIDITY=${NZ})?${TAIL}$`, "is");
// `;UID=` right at the start: the selected mailbox's (the base URL ends in its name and a "/")
const RELATIVE = new RegExp(`^${TAIL.slice(1)}$`, "is");
const MAX32 = 4294967295;

function num(s: string, what: string): number {
  const n = Number(s);
  if (n > MAX32) throw new UrlError(`${what} out of range`);
  return n;
}

function unescape(s: string, what: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new UrlError(`Invalid %-encoding in the ${what}`);
  }
}

/** The message part a relative IMAP URL names; throws UrlError. */
export function parseMessagePartUrl(url: string): MessagePartUrl {
  if (/^[a-z][a-z0-9+.-]*:/i.test(url) || url.startsWith("//")) {
    throw new UrlError("Only relative IMAP URLs of this server and user are supported");
  }
  const abs = ABSOLUTE.exec(url);
  const m = abs ?? RELATIVE.exec(url);
  if (!m) throw new UrlError("Invalid IMAP URL: not a message or message part URL");
  const [uid, section, offset, length, rest] = abs ? m.slice(3) : m.slice(1);
  if (rest !== undefined) {
    throw new UrlError(/^;(EXPIRE|URLAUTH)=/i.test(rest) ? "URLAUTH is not supported" : "Invalid IMAP URL");
  }
  const r: MessagePartUrl = { uid: num(uid, "UID"), section: { part: [] } };
  if (abs) {
    const mailbox = unescape(abs[1], "mailbox name");
    if (mailbox === "") throw new UrlError("Invalid IMAP URL: no mailbox name");
    r.mailbox = mailbox;
    if (abs[2] !== undefined) r.uidValidity = num(abs[2], "UIDVALIDITY");
  }
  if (section !== undefined) r.section = sectionOf(unescape(section, "section"));
  if (offset !== undefined) {
    r.partial = { offset: num(offset, "Partial offset") };
    if (length !== undefined) r.partial.length = num(length, "Partial length");
  }
  return r;
}

function sectionOf(text: string): Section {
  // a section is ASCII; anything else is no section FETCH knows
  if (text === "" || /[^\x20-\x7e]/.test(text)) throw new UrlError("Invalid section");
  try {
    return parseRule("sectionSpec", text) as Section;
  } catch (e) {
    if (e instanceof ParseError) throw new UrlError("Invalid section");
    throw e;
  }
}
