// Modified UTF-7 mailbox names (RFC 3501 §5.1.3), both ways.
//   encodeMailboxName(unicode) -> ASCII mUTF-7 text
//   decodeMailboxName(text)    -> Unicode; throws Error on malformed mUTF-7. Text holding 8-bit
//                                 characters (a client sending raw UTF-8, as UTF8=ACCEPT allows)
//                                 is taken as latin1-decoded UTF-8 bytes and returned decoded.

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";
const B64_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < B64.length; i++) B64_VALUE[B64.charCodeAt(i)] = i;

const PLAIN = /^[\x20-\x25\x27-\x7e]*$/;

export function encodeMailboxName(name: string): string {
  if (PLAIN.test(name)) return name;
  let out = "";
  let i = 0;
  while (i < name.length) {
    const c = name.charCodeAt(i);
    if (c === 0x26) { out += "&-"; i++; continue; }
    if (c >= 0x20 && c <= 0x7e) { out += name[i]; i++; continue; }
    // a run of characters that need base64: UTF-16BE units
    let j = i;
    while (j < name.length) {
      const d = name.charCodeAt(j);
      if (d >= 0x20 && d <= 0x7e) break;
      j++;
    }
    out += "&" + base64Units(name, i, j) + "-";
    i = j;
  }
  return out;
}

function base64Units(s: string, from: number, to: number): string {
  let out = "";
  let bits = 0;
  let nbits = 0;
  for (let k = from; k < to; k++) {
    bits = (bits << 16) | s.charCodeAt(k);
    nbits += 16;
    while (nbits >= 6) {
      nbits -= 6;
      out += B64[(bits >> nbits) & 63];
    }
    bits &= (1 << nbits) - 1;
  }
  if (nbits > 0) out += B64[(bits << (6 - nbits)) & 63];
  return out;
}

export function decodeMailboxName(text: string): string {
  if (/[\x80-\xff]/.test(text)) return Buffer.from(text, "latin1").toString("utf8");
  if (text.indexOf("&") < 0) return text;
  let out = "";
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c !== 0x26) { out += text[i]; i++; continue; }
    const end = text.indexOf("-", i + 1);
    if (end < 0) throw new Error("unterminated '&' sequence in modified UTF-7");
    if (end === i + 1) { out += "&"; i = end + 1; continue; }
    out += decodeBase64Units(text, i + 1, end);
    i = end + 1;
  }
  return out;
}

function decodeBase64Units(s: string, from: number, to: number): string {
  let bits = 0;
  let nbits = 0;
  let out = "";
  for (let k = from; k < to; k++) {
    const code = s.charCodeAt(k);
    const v = code < 128 ? B64_VALUE[code] : -1;
    if (v < 0) throw new Error(`invalid character '${s[k]}' in modified UTF-7`);
    bits = ((bits << 6) | v) & 0x3fffff;
    nbits += 6;
    if (nbits >= 16) {
      nbits -= 16;
      const unit = (bits >> nbits) & 0xffff;
      if (unit >= 0x20 && unit <= 0x7e) throw new Error("modified UTF-7 encodes a printable ASCII character");
      out += String.fromCharCode(unit);
    }
  }
  if (nbits >= 6 || (bits & ((1 << nbits) - 1)) !== 0) throw new Error("bad padding in modified UTF-7");
  if (out.length === 0) throw new Error("empty modified UTF-7 sequence");
  return out;
}
