// The strings SEARCH compares a needle with, lower-cased, one function per kind of key: the
// matcher (commands/search.ts) and the full-text index (src/imap/fts) both call these, so the
// index holds exactly what SEARCH looks in.
import type { HeaderField } from "./header-values.js";
import { decodeValue } from "./header-values.js";
import { addressListText } from "../../message/address.js";

/** HEADER: a raw field value, decoded and lower-cased. */
export const headerText = (raw: string): string => decodeValue(raw).toLowerCase();

/** SUBJECT: each run of white space made one space before decoding, as Dovecot compares them
 *  (a folded or double-spaced subject is found by its words). */
export const subjectText = (raw: string): string =>
  decodeValue(raw.replace(/[ \t\r\n]+/g, " ").replace(/^ /, "")).toLowerCase();

/** FROM/TO/CC/BCC: the address list written back (as Dovecot does), decoded, lower-cased. */
export const addressText = (raw: string): string => decodeValue(addressListText(raw)).toLowerCase();

/** TEXT's header half: one decoded field as `name: value`, lower-cased. */
export const fieldLine = (h: HeaderField): string => `${h.name}: ${h.value}`.toLowerCase();
