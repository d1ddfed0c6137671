// The text SEARCH BODY and TEXT look in: every text part decoded (transfer encoding, then
// charset), and the header blocks of embedded messages, joined by "\n".
import type { MimeIndex, MimePart } from "./model.js";
import { decodeCharset } from "./charset.js";
import { decodeTransfer } from "./transfer-decode.js";
import { paramValue } from "./mime-fields.js";

/** A leaf's body with its transfer encoding undone (an unknown encoding: the bytes as they are). */
export function decodedBody(p: MimePart, file: Buffer): Buffer {
  const raw = file.subarray(p.bodyStart, p.bodyEnd);
  return decodeTransfer(raw, p.encoding) ?? raw;
}

export const partCharset = (p: MimePart): string | null => paramValue(p.params, "charset");

export function bodyText(index: MimeIndex, file: Buffer): string {
  const out: string[] = [];
  const walk = (p: MimePart): void => {
    if (p.parts) {
      for (const c of p.parts) walk(c);
      return;
    }
    if (p.message) {
      out.push(file.subarray(p.message.headerStart, p.message.headerEnd).toString("utf8"));
      walk(p.message);
      return;
    }
    if (p.type !== "text" && p.type !== "message") return;
    out.push(decodeCharset(decodedBody(p, file), partCharset(p)));
  };
  walk(index.root);
  return out.join("\n");
}
