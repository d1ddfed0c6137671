// The encoder: response values -> bytes. Only this module formats IMAP data.
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
//   respText(code: string | undefined, text: string): string   "[CODE] text" (CR/LF removed)
//   taggedLine(tag, status, text, code?): Buffer       "A1 OK [CODE] text\r\n"
//   untaggedLine(body: string | Buffer | Value[]): Buffer   "* " + body + "\r\n" (arrays: items
//                                      encoded and joined by spaces)
//   continuationLine(text?): Buffer    "+ text\r\n"

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
const CRLF = "\r\n";

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

export function compressSet(nums: number[]): string {
  if (nums.length === 0) return "";
  const a = Float64Array.from(nums).sort();
  let out = "";
  let start = a[0];
  let prev = a[0];
  for (let i = 1; i <= a.length; i++) {
    const n = i < a.length ? a[i] : NaN;
    if (n === prev) continue;
    if (n === prev + 1) {
      prev = n;
      continue;
    }
    if (out.length > 0) out += ",";
    out += start === prev ? String(start) : `${start}:${prev}`;
    start = prev = n;
  }
  return out;
}

function oneLine(s: string): string {
  return /[\r\n]/.test(s) ? s.replace(/[\r\n]+/g, " ") : s;
}

export function respText(code: string | undefined, text: string): string {
  const t = oneLine(text);
  return code === undefined ? t : `[${oneLine(code)}] ${t}`;
}

export function taggedLine(tag: string, status: "OK" | "NO" | "BAD", text: string, code?: string): Buffer {
  return Buffer.from(`${tag} ${status} ${respText(code, text)}${CRLF}`, "utf8");
}

export function untaggedLine(body: string | Buffer | Value[]): Buffer {
  if (typeof body === "string") return Buffer.from(`* ${body}${CRLF}`, "utf8");
  if (Buffer.isBuffer(body)) return Buffer.concat([Buffer.from("* "), body, Buffer.from(CRLF)]);
  const out = new Out();
  out.s = "* ";
  for (let i = 0; i < body.length; i++) {
    if (i > 0) out.s += " ";
    write(out, body[i]);
  }
  out.s += CRLF;
  return out.done();
}

export function continuationLine(text = "Ready for literal data"): Buffer {
  return Buffer.from(`+ ${oneLine(text)}${CRLF}`, "utf8");
}
