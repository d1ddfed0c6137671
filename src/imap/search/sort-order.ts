// SORT (RFC 5256 §3 "SORT"): order messages by a list of keys, every one of them taken from the
// store's record (ARRIVAL, SIZE) or from the message model's cached index (`MimeIndex.sort`), so
// no message file is read. Ties fall back to the sequence number, as the RFC requires.
import type { SortCriterion, SortKey } from "../../protocol/ast.js";
import type { MimeIndex } from "../../message/model.js";
import { baseSubject, decode2047 } from "../../message/index.js";
import type { MessageRecord } from "../../store/contract.js";

/** What SORT and THREAD need of one message. */
export interface SortItem {
  seq: number;
  uid: number;
  /** RFC822.SIZE */
  size: number;
  /** INTERNALDATE, ms */
  arrival: number;
  /** the Date header, ms; INTERNALDATE when it is missing or unparseable (RFC 5256 §3 DATE) */
  sent: number;
  /** base subject (RFC 5256 §2.1), case-folded for comparison */
  subjectKey: string;
  /** the decoded Subject as sent */
  subject: string;
  /** addr-mailbox of the first address, case-folded */
  from: string;
  to: string;
  cc: string;
  /** RFC 5957 §3's display value of the first From and To address, case-folded */
  displayFrom: string;
  displayTo: string;
  messageId: string | null;
  inReplyTo: string | null;
  references: string[];
}

/**
 * Case folding for comparison as Dovecot does it (i;unicode-casemap: simple title case per
 * character, then decomposed), so `Ünïcode` sorts with `U` and `straße` keeps its `ß`.
 */
export function fold(s: string): string {
  let out = "";
  for (const ch of s) {
    const u = ch.toUpperCase();
    out += u.length === ch.length ? u : ch;
  }
  return out.normalize("NFKD");
}

/** An ENVELOPE string (bytes as latin1) as text: UTF-8 when it is, else as it stands. */
const envText = (v: unknown): string | null => (typeof v === "string" ? Buffer.from(v, "latin1").toString("utf8") : null);

/**
 * addr-mailbox of the first address in an ENVELOPE address list, as Dovecot takes it: the
 * first entry even when it opens a group (`undisclosed-recipients:;` sorts by its name).
 */
function firstAddrMailbox(list: unknown): string {
  if (!Array.isArray(list) || list.length === 0) return "";
  return envText((list[0] as unknown[])[2]) ?? "";
}

/**
 * RFC 5957 §3: the first address's decoded display name when it is not empty, else
 * mailbox@host, else the mailbox, else "". The first entry is taken as it comes (a group's
 * name too), as firstAddrMailbox does.
 */
function firstAddrDisplay(list: unknown): string {
  if (!Array.isArray(list) || list.length === 0) return "";
  const [name, , mbox, host] = list[0] as unknown[];
  const display = typeof name === "string" ? decode2047(name) : "";
  if (display !== "") return display;
  const m = envText(mbox);
  const h = envText(host);
  return m !== null && h !== null ? `${m}@${h}` : m ?? "";
}

export function sortItem(rec: MessageRecord, seq: number, index: MimeIndex): SortItem {
  const s = index.sort;
  const arrival = rec.internalDate.getTime();
  const env = index.root.envelope;
  return {
    seq,
    uid: rec.uid,
    size: rec.size,
    arrival,
    sent: s.date ?? arrival,
    subject: s.subject,
    subjectKey: fold(baseSubject(s.subject)),
    from: fold(firstAddrMailbox(env[2])),
    to: fold(firstAddrMailbox(env[5])),
    cc: fold(firstAddrMailbox(env[6])),
    displayFrom: fold(firstAddrDisplay(env[2])),
    displayTo: fold(firstAddrDisplay(env[5])),
    messageId: s.messageId,
    inReplyTo: s.inReplyTo,
    references: s.references,
  };
}

/** Strings compare by code point (UTF-8 byte order, as Dovecot's strcmp). */
export function compareText(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

function compareKey(key: SortKey, a: SortItem, b: SortItem): number {
  switch (key) {
    case "ARRIVAL": return a.arrival - b.arrival;
    case "DATE": return a.sent - b.sent;
    case "SIZE": return a.size - b.size;
    case "SUBJECT": return compareText(a.subjectKey, b.subjectKey);
    case "FROM": return compareText(a.from, b.from);
    case "TO": return compareText(a.to, b.to);
    case "CC": return compareText(a.cc, b.cc);
    case "DISPLAYFROM": return compareText(a.displayFrom, b.displayFrom);
    case "DISPLAYTO": return compareText(a.displayTo, b.displayTo);
  }
}

/** SORT's comparison under `criteria`; ties fall back to the sequence number. */
export function compareItems(criteria: readonly SortCriterion[]): (a: SortItem, b: SortItem) => number {
  return (a, b) => {
    for (const c of criteria) {
      const d = compareKey(c.key, a, b);
      if (d !== 0) return c.reverse ? -d : d;
    }
    return a.seq - b.seq;
  };
}

/** The items in SORT order; the input order is not changed. */
export function sortItems(items: readonly SortItem[], criteria: readonly SortCriterion[]): SortItem[] {
  return [...items].sort(compareItems(criteria));
}
