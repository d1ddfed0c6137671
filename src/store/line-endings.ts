// Line endings: MH keeps LF, the wire wants CRLF (sizes: the message model's crlfSize). Storing CRLF as LF is lossless for a message
// whose lines all end in CRLF, because the wire form turns each LF back into CRLF.

/** The message as stored: every CRLF becomes LF; a lone CR stays. */
export function toLf(data: Buffer): Buffer {
  if (data.indexOf(13) === -1) return data;
  const out = Buffer.allocUnsafe(data.length);
  let o = 0;
  for (let i = 0; i < data.length; i++) {
    const c = data[i];
    if (c === 13 && data[i + 1] === 10) continue;
    out[o++] = c;
  }
  return out.subarray(0, o);
}
