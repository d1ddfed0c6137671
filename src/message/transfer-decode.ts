// Content-Transfer-Encoding decoders (RFC 2045): base64 and quoted-printable. Input is the
// part body as stored; output the decoded bytes (QP hard line breaks as CRLF).

export function decodeBase64(body: Buffer): Buffer {
  return Buffer.from(body.toString("latin1").replace(/[^A-Za-z0-9+/]/g, ""), "base64");
}

function hex(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

export function decodeQuotedPrintable(body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(body.length * 2);
  let n = 0;
  let lineStart = 0;
  while (lineStart < body.length) {
    let lf = body.indexOf(10, lineStart);
    const hasLf = lf >= 0;
    if (!hasLf) lf = body.length;
    let end = lf;
    if (end > lineStart && body[end - 1] === 13) end--;
    while (end > lineStart && (body[end - 1] === 32 || body[end - 1] === 9)) end--; // transport padding
    let soft = false;
    for (let i = lineStart; i < end; i++) {
      const c = body[i];
      if (c === 61) {
        if (i === end - 1) {
          soft = true;
          break;
        }
        const h = hex(body[i + 1]);
        const l = hex(body[i + 2]);
        if (h >= 0 && l >= 0 && i + 2 < end) {
          out[n++] = h * 16 + l;
          i += 2;
          continue;
        }
      }
      out[n++] = c;
    }
    if (hasLf && !soft) {
      out[n++] = 13;
      out[n++] = 10;
    }
    lineStart = lf + 1;
  }
  return out.subarray(0, n);
}

/** Decoded body of a part, or null if the transfer encoding is unknown. */
export function decodeTransfer(body: Buffer, encoding: string): Buffer | null {
  switch (encoding.toLowerCase()) {
    case "base64":
      return decodeBase64(body);
    case "quoted-printable":
      return decodeQuotedPrintable(body);
    case "7bit":
    case "8bit":
    case "binary":
      return body;
    default:
      return null;
  }
}
