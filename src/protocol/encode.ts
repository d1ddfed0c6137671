// The encoder: response values -> bytes. With responses.ts (whole response lines) and
// fetch-response.ts (FETCH), the only code that formats IMAP data.
//
// Exported API (stable):
//   type ImapData = null | number | string | Buffer | ImapData[]   (= src/message/model.ts ImapData)
//   type Value = ImapData-like, plus Atom (atom(s): written bare) and Raw (raw(s): written verbatim)
//   atom(s), raw(s)                    wrappers
//   encodeData(v: Value): Buffer       null -> NIL, number -> digits, string (Unicode, sent as
//                                      UTF-8) / Buffer (bytes) -> quoted with escaping, or a
//                                      literal `{n}\r\n...` when 8-bit/CR/LF/NUL/long; array -> (...)
//   quoted(s): string                  `"..."` with `\` and `"` escaped (s must be quotable)
//   literal(buf): Buffer               `{n}\r\n` + bytes
//   nstring(v: string | Buffer | null): Buffer
//   astring(s: string): Buffer         atom when possible, else quoted/literal
//   mailbox(name: string): Buffer      mUTF-7 encoded astring; "INBOX" as an atom
//   encodeMailboxName(unicode): string / decodeMailboxName(mutf7): string   (RFC 3501 §5.1.3)
//   compressSet(nums: number[]): string     [3,1,2,7] -> "1:3,7" ("" for none)
//   orderedSet(nums): string           [5,1,2] -> "5,1:2" (order kept: COPYUID pairs by position)
//   flagList(flags): string            "(\\Seen \\Draft)"
//   internalDate(d: Date): string      "\"17-Jul-1996 02:44:25 +0000\"" (UTC)
//   respText(code: string | undefined, text: string): string   "[CODE] text" (CR/LF removed)

export { decodeMailboxName, encodeMailboxName } from "./mutf7.js";
import { encodeMailboxName } from "./mutf7.js";

export type ImapData = null | number | string | Buffer | ImapData[];

export class Atom {
  constructor(readonly text: string) {}
}
export class Raw {
  constructor(readonly bytes: string | Buffer) {}
}
export type Value = null | number | string | Buffer | Atom | Raw | Value[];

export const atom = (s: string): Atom => new Atom(s);
export const raw = (s: string | Buffer): Raw => new Raw(s);

/** Longest string sent quoted; longer ones go as literals. */
const MAX_QUOTED = 1024;

// bytes allowed in a quoted string: 0x01-0x7f except CR, LF
const QUOTABLE = /^[\x01-\x09\x0b\x0c\x0e-\x7f]*$/;
const ATOM_SAFE = /^[\x21\x23\x24\x26\x27\x2b-\x5b\x5d-\x7a\x7c-\x7e]+$/;

/** Collects ASCII text and Buffers, joining them once at the end. */
class Out {
  parts: Buffer[] = [];
  s = "";
  buf(b: Buffer): void {
    if (this.s.length > 0) {
      this.parts.push(Buffer.from(this.s, "latin1"));
      this.s = "";
    }
    this.parts.push(b);
  }
  done(): Buffer {
    if (this.parts.length === 0) return Buffer.from(this.s, "latin1");
    if (this.s.length > 0) this.parts.push(Buffer.from(this.s, "latin1"));
    return Buffer.concat(this.parts);
  }
}

function quoteText(s: string): string {
  return '"' + (s.indexOf('"') < 0 && s.indexOf("\\") < 0 ? s : s.replace(/["\\]/g, "\\$&")) + '"';
}

export function quoted(s: string): string {
  if (!QUOTABLE.test(s)) throw new TypeError("string cannot be sent quoted");
  return quoteText(s);
}

export function literal(buf: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`{${buf.length}}\r\n`, "latin1"), buf]);
}

function writeString(out: Out, v: string | Buffer): void {
  if (typeof v === "string") {
    if (v.length <= MAX_QUOTED && QUOTABLE.test(v)) {
      out.s += quoteText(v);
      return;
    }
    const b = Buffer.from(v, "utf8");
    out.s += `{${b.length}}\r\n`;
    out.buf(b);
    return;
  }
  if (v.length <= MAX_QUOTED) {
    const t = v.toString("latin1");
    if (QUOTABLE.test(t)) {
      out.s += quoteText(t);
      return;
    }
  }
  out.s += `{${v.length}}\r\n`;
  out.buf(v);
}

function write(out: Out, v: Value): void {
  if (v === null) out.s += "NIL";
  else if (typeof v === "number") {
    if (!Number.isSafeInteger(v) || v < 0) throw new TypeError(`not an IMAP number: ${v}`);
    out.s += String(v);
  } else if (typeof v === "string" || Buffer.isBuffer(v)) writeString(out, v);
  else if (Array.isArray(v)) {
    out.s += "(";
    for (let i = 0; i < v.length; i++) {
      if (i > 0) out.s += " ";
      write(out, v[i]);
    }
    out.s += ")";
  } else if (v instanceof Atom) out.s += v.text;
  else if (v instanceof Raw) {
    if (typeof v.bytes === "string") out.s += v.bytes;
    else out.buf(v.bytes);
  } else throw new TypeError("not an IMAP value");
}

export function encodeData(v: Value): Buffer {
  const out = new Out();
  write(out, v);
  return out.done();
}

export function nstring(v: string | Buffer | null): Buffer {
  return encodeData(v);
}

export function astring(s: string): Buffer {
  if (ATOM_SAFE.test(s) && s.toUpperCase() !== "NIL") return Buffer.from(s, "latin1");
  return encodeData(s);
}

export function mailbox(name: string): Buffer {
  return astring(name === "INBOX" ? name : encodeMailboxName(name));
}

/**
 * `1:3,5` from numbers, keeping their order (COPYUID pairs source and destination UIDs by
 * position, so the two sets must not be re-sorted independently).
 */
export function orderedSet(nums: readonly number[]): string {
  let out = "";
  let i = 0;
  while (i < nums.length) {
    let j = i;
    while (j + 1 < nums.length && nums[j + 1] === nums[j] + 1) j++;
    if (out.length > 0) out += ",";
    out += j > i ? `${nums[i]}:${nums[j]}` : `${nums[i]}`;
    i = j + 1;
  }
  return out;
}

/** The shortest set naming the numbers, ascending: `[3,1,2,7]` → `1:3,7` ("" for none). */
export function compressSet(nums: readonly number[]): string {
  const a = Float64Array.from(nums).sort();
  const unique: number[] = [];
  for (let i = 0; i < a.length; i++) if (i === 0 || a[i] !== a[i - 1]) unique.push(a[i]);
  return orderedSet(unique);
}

/** A flag list: `(\\Seen $Junk)`. */
export function flagList(flags: readonly string[]): string {
  return `(${flags.join(" ")})`;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const pad = (n: number) => String(n).padStart(2, "0");

/** INTERNALDATE: `"17-Jul-1996 02:44:25 +0000"` (UTC). */
export function internalDate(d: Date): string {
  return `"${pad(d.getUTCDate())}-${MONTHS[d.getUTCMonth()]}-${d.getUTCFullYear()} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000"`;
}

function oneLine(s: string): string {
  return /[\r\n]/.test(s) ? s.replace(/[\r\n]+/g, " ") : s;
}

export function respText(code: string | undefined, text: string): string {
  const t = oneLine(text);
  return code === undefined ? t : `[${oneLine(code)}] ${t}`;
}
