// BINARY[part] and BINARY.SIZE[part] (RFC 3516): the part's body with its transfer encoding
// undone. Identity encodings come back in CRLF form, like BODY[part]. A whole message, a
// multipart or a message/rfc822 part comes back with every base64 and quoted-printable part
// inside decoded and its field saying binary, as Dovecot sends it.
import type { MimeIndex, MimePart } from "./model.js";
import { findPart, resolveSection } from "./section.js";
import { decodeTransfer } from "./transfer-decode.js";
import { withEncoding } from "./cte-field.js";
import { spliceLeaves } from "./leaf-splice.js";

export type BinaryResult = Buffer | { error: "UNKNOWN-CTE" } | null;
const UNKNOWN = { error: "UNKNOWN-CTE" } as const;

function toCrlf(b: Buffer): Buffer {
  return Buffer.from(b.toString("latin1").replace(/\r?\n/g, "\r\n"), "latin1");
}

const encoded = (enc: string): boolean => enc === "base64" || enc === "quoted-printable";

/** null when the part does not exist. */
export function binarySection(index: MimeIndex, part: number[], data: Buffer): BinaryResult {
  const sec = resolveSection(index, { part }, data);
  if (!sec) return null;
  const node = findPart(index.root, part)!;
  if (part.length === 0 || node.parts || node.message) {
    const [start, end] = part.length === 0 ? [node.headerStart, node.bodyEnd] : [node.bodyStart, node.bodyEnd];
    return decodedInside(node, data, start, end);
  }
  const raw = data.subarray(node.bodyStart, node.bodyEnd);
  const enc = node.encoding.toLowerCase();
  const decoded = decodeTransfer(raw, enc);
  if (decoded === null) return UNKNOWN;
  return encoded(enc) ? decoded : toCrlf(decoded);
}

function decodedInside(node: MimePart, data: Buffer, start: number, end: number): BinaryResult {
  let unknown = false;
  const out = spliceLeaves(data, node, start, end, (leaf) => {
    const enc = leaf.encoding.toLowerCase();
    const body = data.subarray(leaf.bodyStart, leaf.bodyEnd);
    const decoded = decodeTransfer(body, enc);
    if (decoded === null) unknown = true;
    if (decoded === null || !encoded(enc)) return null;
    return { header: withEncoding(data.subarray(leaf.headerStart, leaf.headerEnd), "binary"), body: decoded };
  }, toCrlf);
  return unknown ? UNKNOWN : out;
}

export function binarySize(index: MimeIndex, part: number[], data: Buffer): number | { error: "UNKNOWN-CTE" } | null {
  const r = binarySection(index, part, data);
  return r === null || !Buffer.isBuffer(r) ? r : r.length;
}
