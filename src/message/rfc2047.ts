// RFC 2047 encoded-word decoding (for SEARCH and SORT only; ENVELOPE keeps words as sent).
import { decodeCharset } from "./charset.js";

function qDecode(text: string): Buffer {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === "_") out.push(32);
    else if (ch === "=" && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      out.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else out.push(text.charCodeAt(i) & 0xff);
  }
  return Buffer.from(out);
}

const WORD = /=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=/g;

/** Decode a header value given as a "binary" string. Adjacent encoded words (only whitespace
 * between) are joined before charset decoding, so a character split across words survives. */
export function decode2047(raw: string): string {
  const pieces: Array<{ cs: string; bytes: Buffer } | string> = [];
  let last = 0;
  let prevWasWord = false;
  for (const m of raw.matchAll(WORD)) {
    const between = raw.slice(last, m.index);
    if (!(prevWasWord && /^[ \t\r\n]*$/.test(between)) && between) pieces.push(between);
    const cs = m[1].replace(/\*.*$/, "").toLowerCase();
    const bytes = m[2].toLowerCase() === "b" ? Buffer.from(m[3], "base64") : qDecode(m[3]);
    const prev = pieces[pieces.length - 1];
    if (prevWasWord && typeof prev === "object" && prev.cs === cs) prev.bytes = Buffer.concat([prev.bytes, bytes]);
    else pieces.push({ cs, bytes });
    prevWasWord = true;
    last = m.index + m[0].length;
  }
  if (last < raw.length) pieces.push(raw.slice(last));
  return pieces
    .map((p) => (typeof p === "string" ? decodeCharset(Buffer.from(p, "latin1"), "utf-8") : decodeCharset(p.bytes, p.cs)))
    .join("");
}
