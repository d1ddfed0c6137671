// BINARY[part] and BINARY.SIZE[part] (RFC 3516): the part's body with its transfer encoding
// undone. Identity encodings come back in CRLF form, like BODY[part].
import type { MimeIndex } from "./types.js";
import { findPart, resolveSection } from "./section.js";
import { decodeTransfer } from "./transfer-decode.js";

export type BinaryResult = Buffer | { error: "UNKNOWN-CTE" } | null;

function toCrlf(b: Buffer): Buffer {
  return Buffer.from(b.toString("latin1").replace(/\r?\n/g, "\r\n"), "latin1");
}

/** null when the part does not exist. */
export function binarySection(index: MimeIndex, part: number[], data: Buffer): BinaryResult {
  const sec = resolveSection(index, { part }, data);
  if (!sec) return null;
  const raw = Buffer.concat(sec.pieces.map((p) => ("bytes" in p ? p.bytes : data.subarray(p.start, p.end))));
  if (part.length === 0) return toCrlf(raw);
  const node = findPart(index.root, part)!;
  if (node.parts || node.message) return toCrlf(raw);
  const enc = node.encoding.toLowerCase();
  const decoded = decodeTransfer(raw, enc);
  if (decoded === null) return { error: "UNKNOWN-CTE" };
  return enc === "base64" || enc === "quoted-printable" ? decoded : toCrlf(decoded);
}

export function binarySize(index: MimeIndex, part: number[], data: Buffer): number | { error: "UNKNOWN-CTE" } | null {
  const r = binarySection(index, part, data);
  return r === null || !Buffer.isBuffer(r) ? r : r.length;
}
