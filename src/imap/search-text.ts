// Text of a message for SEARCH: header field values (RFC 2047 decoded) and the decoded text of
// its parts (transfer encoding and charset undone). Read only when a key needs it.
import { decode2047 } from "../message/index.js";
import type { MimeIndex, MimePart } from "../message/types.js";

export interface HeaderField { name: string; value: string }

/** Unfolded header fields of a header block; with `only` (lower-case), just the fields so named
 *  (the values of the others are not decoded). */
export function headerFields(block: Buffer, only?: string): HeaderField[] {
  const text = block.toString("latin1");
  const out: HeaderField[] = [];
  for (const line of text.replace(/\r?\n[ \t]/g, " ").split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (only !== undefined && name !== only) continue;
    const raw = line.slice(colon + 1).trim();
    // 8-bit header bytes are most often UTF-8
    const utf8 = Buffer.from(raw, "latin1").toString("utf8");
    out.push({ name, value: decode2047(utf8.includes("\ufffd") ? raw : utf8) });
  }
  return out;
}

function decodeTransfer(body: Buffer, encoding: string): Buffer {
  switch (encoding.toLowerCase()) {
    case "base64":
      return Buffer.from(body.toString("latin1").replace(/[^A-Za-z0-9+/]/g, ""), "base64");
    case "quoted-printable": {
      const s = body.toString("latin1").replace(/=\r?\n/g, "");
      return Buffer.from(s.replace(/=([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), "latin1");
    }
    default:
      return body;
  }
}

function decodeCharset(bytes: Buffer, charset: string | undefined): string {
  const cs = (charset ?? "utf-8").toLowerCase();
  try {
    return new TextDecoder(cs === "us-ascii" ? "utf-8" : cs).decode(bytes);
  } catch {
    return bytes.toString("latin1");
  }
}

/** The decoded text of every text part (and the headers of embedded messages). */
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
    const charset = p.params.find(([k]) => k.toLowerCase() === "charset")?.[1];
    out.push(decodeCharset(decodeTransfer(file.subarray(p.bodyStart, p.bodyEnd), p.encoding), charset));
  };
  walk(index.root);
  return out.join("\n");
}
