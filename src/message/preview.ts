// PREVIEW (RFC 8970): a short plain text of the message for a client's list, from its first
// text/plain part, else its first text/html with the markup taken out. At most 256 characters
// (§3.2), white space made single spaces; "" when there is no text to show (§3.2: then the
// client does not ask again).
import type { MimeIndex, MimePart } from "./model.js";
import { decodeCharset } from "./charset.js";
import { decodeTransfer } from "./transfer-decode.js";
import { partCharset } from "./body-text.js";

export const PREVIEW_CHARS = 256;
/** Bytes of the part read at most: enough for 256 characters after any markup. */
export const PREVIEW_READ = 16 * 1024;

/** The part the preview is made of, or null. */
export function previewPart(index: MimeIndex): MimePart | null {
  const leaves: MimePart[] = [];
  const walk = (p: MimePart): void => {
    if (p.parts) p.parts.forEach(walk);
    else if (!p.message && p.type === "text") leaves.push(p);
  };
  walk(index.root);
  return leaves.find((p) => p.subtype === "plain") ?? leaves.find((p) => p.subtype === "html") ?? null;
}

/** The preview from the part's first bytes (at most PREVIEW_READ of its body, as stored). */
export function previewText(part: MimePart, head: Buffer): string {
  // base64 cut at a whole group, so the last characters decode
  const raw = part.encoding.toLowerCase() === "base64" ? cutBase64(head) : head;
  let text = decodeCharset(decodeTransfer(raw, part.encoding) ?? raw, partCharset(part));
  if (part.subtype === "html") text = htmlText(text);
  const chars = Array.from(text.replace(/\s+/gu, " ").trim());
  return chars.slice(0, PREVIEW_CHARS).join("");
}

function cutBase64(b: Buffer): Buffer {
  const s = b.toString("latin1").replace(/[^A-Za-z0-9+/=]/g, "");
  return Buffer.from(s.slice(0, s.length - (s.length % 4)), "latin1");
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " " };

/** The text a reader sees of an HTML body: no head, style, script, comments or tags. */
function htmlText(html: string): string {
  return html
    .replace(/<!--[\s\S]*?-->/g, " ")
    .replace(/<(head|style|script)\b[\s\S]*?<\/\1\s*>/gi, " ")
    .replace(/<[^>]*>?/g, " ")
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (all, e: string) => {
      if (e[0] === "#") {
        const n = e[1].toLowerCase() === "x" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
        return n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : " ";
      }
      return ENTITIES[e.toLowerCase()] ?? all;
    });
}
