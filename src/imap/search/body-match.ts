// SEARCH BODY/TEXT over message bodies without decoding them when that cannot change the
// answer: the same result as `bodyText(index, file).toLowerCase().includes(needle)`, part by
// part, stopping at the first part that holds the needle.
//
// Why raw bytes are enough: for an ASCII needle, a match in the lower-cased decoded text is a
// run of ASCII characters. In UTF-8 and the single-byte charsets below, ASCII bytes decode to
// themselves and every other byte (or sequence) decodes to non-ASCII characters, whose lower
// case is non-ASCII too, except U+0130 (İ → "i̇") and U+212A (Kelvin → "k"): a part holding one
// of those is decoded the full way. A needle with a newline could span the "\n" that joins parts:
// it takes the full path too, as does any needle that is not ASCII.
import iconv from "iconv-lite";
import type { MimeIndex, MimePart } from "../../message/model.js";
import { bodyText, charsetReader, decodeCharset, decodedBody, partCharset } from "../../message/index.js";
import { AsciiNeedle } from "./ascii-needle.js";
import { HeaderPrefilter } from "./header-prefilter.js";

/** A BODY/TEXT needle (lower-case), prepared once per SEARCH. */
export interface BodyNeedle { text: string; ascii: AsciiNeedle | null; headers: HeaderPrefilter }

export function bodyNeedle(needle: string): BodyNeedle {
  const fast = needle !== "" && /^[\x00-\x09\x0b-\x7f]*$/.test(needle);
  return { text: needle, ascii: fast ? new AsciiNeedle(needle) : null, headers: new HeaderPrefilter(needle) };
}

/** Whether the decoded text of the message's parts holds the needle. */
export function bodyMatches(index: MimeIndex, file: Buffer, needle: BodyNeedle): boolean {
  if (needle.text === "") return true;
  if (!needle.ascii) return bodyText(index, file).toLowerCase().includes(needle.text);
  return partMatches(index.root, file, needle.ascii);
}

function partMatches(p: MimePart, file: Buffer, n: AsciiNeedle): boolean {
  if (p.parts) {
    for (const c of p.parts) if (partMatches(c, file, n)) return true;
    return false;
  }
  if (p.message) {
    // bodyText takes an embedded message's header block as UTF-8
    const head = file.subarray(p.message.headerStart, p.message.headerEnd);
    if (segmentMatches(head, UTF8, n, () => head.toString("utf8"))) return true;
    return partMatches(p.message, file, n);
  }
  if (p.type !== "text" && p.type !== "message") return false;
  const charset = partCharset(p);
  const bytes = decodedBody(p, file);
  return segmentMatches(bytes, kindOf(charset), n, () => decodeCharset(bytes, charset));
}

function segmentMatches(bytes: Buffer, kind: Kind, n: AsciiNeedle, decode: () => string): boolean {
  if (kind !== SLOW && !(kind === UTF8 ? hasUtf8Exception(bytes, n.text) : hasByteException(bytes, kind))) {
    return n.foundIn(bytes);
  }
  return decode().toLowerCase().includes(n.text);
}

/** How a part's bytes may be searched: UTF8, SLOW (decode), or the high bytes (0x80–0xFF,
 *  as a 128-entry table) whose character lower-cases to something holding ASCII. */
type Kind = typeof UTF8 | typeof SLOW | Uint8Array;
const UTF8 = "utf8" as const;
const SLOW = "slow" as const;

const kinds = new Map<string, Kind>();

function kindOf(charset: string | null): Kind {
  const label = (charset ?? "").toLowerCase();
  let k = kinds.get(label);
  if (k === undefined) {
    k = classify(label);
    if (kinds.size < 256) kinds.set(label, k);
  }
  return k;
}

/** How decodeCharset reads the label: its guess is UTF-8 or latin-1, both safe as UTF8 (no
 *  latin-1 letter lower-cases to ASCII); a single-byte table is looked at byte by byte. */
function classify(label: string): Kind {
  const r = charsetReader(label);
  if (r.by === "guess") return UTF8;
  if (r.by === "whatwg") return r.decoder.encoding === "utf-8" ? UTF8 : SLOW; // iconv-lite has every single-byte one
  const codec = iconv.getCodec(r.label) as { constructor: { name: string }; enc?: string };
  if (codec.constructor.name === "InternalCodec" && codec.enc === "utf8") return UTF8;
  const bytes = Buffer.alloc(256);
  for (let b = 0; b < 256; b++) bytes[b] = b;
  const chars = iconv.decode(bytes, r.label);
  // one character per byte, and ASCII bytes themselves: a single-byte ASCII-compatible table
  if (chars.length !== 256 || chars.slice(0, 128) !== bytes.toString("latin1", 0, 128)) return SLOW;
  if (codec.constructor.name !== "SBCSCodec" && codec.enc !== "binary") return SLOW;
  const table = new Uint8Array(128);
  for (let b = 0x80; b <= 0xff; b++) if (/[\x00-\x7f]/.test(chars[b].toLowerCase())) table[b - 0x80] = 1;
  return table;
}

function hasByteException(bytes: Buffer, table: Uint8Array): boolean {
  for (let b = 0; b < 128; b++) if (table[b] && bytes.includes(b + 0x80)) return true;
  return false;
}

/** U+0130 (C4 B0) lower-cases to "i" + U+0307, U+212A (E2 84 AA) to "k": they matter only to a
 *  needle with that letter, and are looked for by their lead byte (memchr) first. */
function hasUtf8Exception(bytes: Buffer, needle: string): boolean {
  return (needle.includes("i") && hasSequence(bytes, 0xc4, 0xb0, -1)) ||
    (needle.includes("k") && hasSequence(bytes, 0xe2, 0x84, 0xaa));
}

function hasSequence(bytes: Buffer, b0: number, b1: number, b2: number): boolean {
  for (let p = bytes.indexOf(b0); p >= 0; p = bytes.indexOf(b0, p + 1)) {
    if (bytes[p + 1] === b1 && (b2 < 0 || bytes[p + 2] === b2)) return true;
  }
  return false;
}
