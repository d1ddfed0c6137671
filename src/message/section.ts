// BODY[section] → byte ranges of the stored file (RFC 3501 §6.4.5). Part numbers step into
// multiparts; a message/rfc822 part's number steps into its embedded message; part 1 of a
// non-multipart message is its body. HEADER/TEXT apply to a message (the top level, or the
// message inside a message/rfc822 part); MIME is a part's own header block.
import type { MimeIndex, MimeMessage, MimePart, SectionData } from "./model.js";
import { crlfSize } from "./crlf.js";
import { newPart } from "./indexer.js";

export interface SectionSpec {
  part: number[];
  text?: "HEADER" | "HEADER.FIELDS" | "HEADER.FIELDS.NOT" | "TEXT" | "MIME";
  fields?: string[];
}

/**
 * The part a path names, walked as Dovecot's imap_msgpart_find walks it: a multipart's n-th
 * child; for anything else only "1", meaning the part itself, and only a message/rfc822 part
 * may be walked further; a message/rfc822 part with more path to go steps into its embedded
 * message.
 */
export function findPart(root: MimeMessage, path: number[]): MimePart | null {
  let cur: MimePart = root;
  for (let i = 0; i < path.length; i++) {
    const n = path[i];
    const more = i < path.length - 1;
    if (!Number.isInteger(n) || n < 1) return null;
    if (cur.parts !== undefined) {
      // a multipart without parts holds one empty text/plain part, as BODYSTRUCTURE shows it
      const c: MimePart | undefined = cur.parts.length === 0 && n === 1 ? newPart(cur.bodyEnd) : cur.parts[n - 1];
      if (!c) return null;
      cur = c;
    } else if (n !== 1 || (more && !cur.message)) return null;
    if (more && cur.message) cur = cur.message;
  }
  return cur;
}

function range(start: number, end: number, size: number): SectionData {
  return { size, pieces: end > start ? [{ start, end, size }] : [] };
}

export function resolveSection(index: MimeIndex, section: SectionSpec, data?: Buffer): SectionData | null {
  const p = findPart(index.root, section.part);
  if (!p) return null;
  const top = section.part.length === 0;
  switch (section.text) {
    case undefined:
      if (top) return range(p.headerStart, p.bodyEnd, index.size);
      return range(p.bodyStart, p.bodyEnd, p.bodySize);
    case "MIME":
      if (top) return null;
      return range(p.headerStart, p.headerEnd, p.headerSize);
    default: {
      const m = top ? index.root : (p.message ?? null);
      if (!m) return null;
      if (section.text === "TEXT") return range(m.bodyStart, m.bodyEnd, m.bodySize);
      if (section.text === "HEADER") return range(m.headerStart, m.headerEnd, m.headerSize);
      if (!data) throw new Error("resolveSection: HEADER.FIELDS needs the message bytes");
      const bytes = headerFields(data, m.headerStart, m.headerEnd, section.fields ?? [], section.text === "HEADER.FIELDS.NOT");
      return { size: bytes.length, pieces: [{ bytes }] };
    }
  }
}

/** The header fields named (or, with `not`, all others) in CRLF form, then an empty line. */
export function headerFields(data: Buffer, start: number, end: number, names: string[], not: boolean): Buffer {
  const want = new Set(names.map((n) => n.toLowerCase()));
  const out: Buffer[] = [];
  let i = start;
  let keep = false;
  while (i < end) {
    let lf = data.indexOf(10, i);
    if (lf < 0 || lf >= end) lf = end - 1;
    const line = data.subarray(i, lf + 1);
    const first = data[i];
    const content = line.length - (line[line.length - 1] === 10 ? (line[line.length - 2] === 13 ? 2 : 1) : 0);
    if (content === 0) break; // the blank line ends the header
    if (first !== 32 && first !== 9) {
      const colon = line.indexOf(58);
      if (colon < 0) keep = false;
      else {
        const name = line.toString("latin1", 0, colon).trim().toLowerCase();
        keep = want.has(name) !== not;
      }
    }
    if (keep) {
      out.push(line.subarray(0, content), CRLF);
    }
    i = lf + 1;
  }
  out.push(CRLF);
  return Buffer.concat(out);
}

const CRLF = Buffer.from("\r\n");

/** CRLF size of a file range (for callers that have the bytes at hand). */
export function rangeSize(data: Buffer, start: number, end: number): number {
  return crlfSize(data, start, end);
}
