// Text for SEARCH: header values decoded (RFC 2047) and text bodies decoded (transfer
// encoding, then charset) to Unicode, matched case-insensitively as substrings.
import type { MimeIndex, MimePart } from "./types.js";
import { decode2047, decodeCharset } from "./rfc2047.js";
import { decodeTransfer } from "./transfer-decode.js";
import { paramValue } from "./mime-fields.js";

export interface SearchText {
  /** [lower-case name, decoded value] for every header field of the top-level message */
  headers: Array<[string, string]>;
  /** decoded text of every text/* (and message/* header) part, in order */
  bodies: string[];
  header(name: string, needle: string): boolean;
  body(needle: string): boolean;
  text(needle: string): boolean;
}

/** Case folding for matching: Unicode lower case, NFC. */
export function fold(s: string): string {
  return s.normalize("NFC").toLowerCase();
}

/** All fields of a header block, unfolded, as "binary" strings. */
export function headerFieldsOf(data: Buffer, start: number, end: number): Array<[string, string]> {
  const text = data.toString("latin1", start, end).replace(/\r?\n[ \t]/g, " ");
  const out: Array<[string, string]> = [];
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    out.push([line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()]);
  }
  return out;
}

function collectBodies(p: MimePart, data: Buffer, out: string[]): void {
  if (p.message) {
    for (const [, v] of headerFieldsOf(data, p.message.headerStart, p.message.headerEnd)) out.push(decode2047(v));
    collectBodies(p.message, data, out);
    return;
  }
  if (p.parts) {
    for (const c of p.parts) collectBodies(c, data, out);
    return;
  }
  if (p.type !== "text" && p.type !== "") return;
  const decoded = decodeTransfer(data.subarray(p.bodyStart, p.bodyEnd), p.encoding) ?? data.subarray(p.bodyStart, p.bodyEnd);
  out.push(decodeCharset(decoded, paramValue(p.params, "charset")));
}

export function searchText(index: MimeIndex, data: Buffer): SearchText {
  const headers = headerFieldsOf(data, index.root.headerStart, index.root.headerEnd).map(
    ([k, v]) => [k, decode2047(v)] as [string, string],
  );
  const bodies: string[] = [];
  collectBodies(index.root, data, bodies);
  let foldedHeaders: Array<[string, string]> | null = null;
  let foldedBody: string | null = null;
  const fh = () => (foldedHeaders ??= headers.map(([k, v]) => [k, fold(v)]));
  const fb = () => (foldedBody ??= fold(bodies.join("\n")));
  return {
    headers,
    bodies,
    header(name, needle) {
      const n = name.toLowerCase();
      const f = fold(needle);
      // RFC 3501: HEADER <field> "" matches any message that has the field
      return fh().some(([k, v]) => k === n && v.includes(f));
    },
    body(needle) {
      return fb().includes(fold(needle));
    },
    text(needle) {
      const f = fold(needle);
      return fh().some(([k, v]) => k.includes(f) || v.includes(f)) || fb().includes(f);
    },
  };
}
