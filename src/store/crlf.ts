// Line endings: MH keeps LF, the wire wants CRLF. Storing CRLF as LF is lossless for a message
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

/** RFC822.SIZE of stored bytes: each LF not already preceded by CR counts one more byte. */
export function crlfSize(data: Buffer): number {
  let extra = 0;
  let i = data.indexOf(10);
  while (i !== -1) {
    if (i === 0 || data[i - 1] !== 13) extra++;
    i = data.indexOf(10, i + 1);
  }
  return data.length + extra;
}
