// Header fields of a message for SEARCH, their values RFC 2047 decoded (bodies: src/message/body-text.ts).
import { decode2047 } from "../../message/index.js";

export interface HeaderField { name: string; value: string }

/** Unfolded header fields of a header block; with `only` (lower-case), just the fields so named
 *  (the values of the others are not decoded). With `raw`, values stay undecoded "binary"
 *  strings, untrimmed but for one space after the colon (for parsing or reshaping first, as
 *  address lists and subjects are, and decoding after). */
export function headerFields(block: Buffer, only?: string, raw = false): HeaderField[] {
  const text = block.toString("latin1");
  if (only !== undefined) return namedFields(text, only, raw);
  const out: HeaderField[] = [];
  for (const line of text.replace(/\r?\n[ \t]/g, " ").split(/\r?\n/)) field(line, undefined, raw, out);
  return out;
}

/** One unfolded header line → a field in `out` (when it has a name, and it is `only` if given). */
function field(line: string, only: string | undefined, raw: boolean, out: HeaderField[]): void {
  const colon = line.indexOf(":");
  if (colon <= 0) return;
  const name = line.slice(0, colon).trim().toLowerCase();
  if (only !== undefined && name !== only) return;
  // a raw value is what follows the colon and one space or tab, as Dovecot's SEARCH reads it
  const rest = line.slice(colon + 1);
  const value = !raw ? rest.trim() : rest[0] === " " || rest[0] === "\t" ? rest.slice(1) : rest;
  out.push({ name, value: raw ? value : decodeValue(value) });
}

/** A raw ("binary") header value as text: 8-bit bytes read as UTF-8, RFC 2047 words decoded. */
export function decodeValue(raw: string): string {
  // plain ASCII without encoded words decodes to itself: skip the charset round trips
  if (!raw.includes("=?") && ASCII.test(raw)) return raw;
  // decode2047 takes the bytes as they are and reads those outside encoded words as UTF-8
  // (turning them into text first garbled every raw "ü" or "ł": SUBJECT "ünïcode" missed them)
  return decode2047(raw);
}

const ASCII = /^[\x00-\x7f]*$/;

/** What String.prototype.trim removes, within latin1. */
const isTrimmed = (c: number) => (c >= 9 && c <= 13) || c === 32 || c === 160;

/**
 * The fields named `only`, exactly as the full parse would give them, without unfolding,
 * splitting and slicing every line of the block (SEARCH FROM over 10k messages did that for
 * each): a logical line is looked at only when its first characters could spell the name.
 */
function namedFields(text: string, only: string, raw: boolean): HeaderField[] {
  const out: HeaderField[] = [];
  const len = text.length;
  let start = 0;
  while (start < len) {
    // the logical line ends at a newline not followed by a fold (space or tab)
    let end = text.indexOf("\n", start);
    while (end >= 0 && end + 1 < len && (text.charCodeAt(end + 1) === 32 || text.charCodeAt(end + 1) === 9)) {
      end = text.indexOf("\n", end + 1);
    }
    const stop = end < 0 ? len : end;
    if (couldBe(text, start, stop, only)) {
      const lineEnd = stop > start && text.charCodeAt(stop - 1) === 13 ? stop - 1 : stop;
      field(text.slice(start, lineEnd).replace(/\r?\n[ \t]/g, " "), only, raw, out);
    }
    start = stop + 1;
  }
  return out;
}

/** Whether the line [start, stop) may name `only` (no false negatives; the full check follows). */
function couldBe(text: string, start: number, stop: number, only: string): boolean {
  let i = start;
  // a fold inside leading whitespace is whitespace too, once unfolded
  while (i < stop && isTrimmed(text.charCodeAt(i))) i++;
  if (stop - i < only.length) return false;
  for (let k = 0; k < only.length; k++, i++) {
    // ASCII and latin1 letters lower-case by setting 0x20
    if ((text.charCodeAt(i) | 0x20) !== (only.charCodeAt(k) | 0x20)) return false;
  }
  return true;
}
