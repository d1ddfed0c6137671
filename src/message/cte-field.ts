// A part's header block with its Content-Transfer-Encoding changed: the first such field (the
// one the index reads) is replaced; every other byte stays as it was.
const CTE = "content-transfer-encoding";

export function withEncoding(h: Buffer, value: string): Buffer {
  let start = 0;
  while (start < h.length) {
    const end = fieldEnd(h, start);
    const colon = h.indexOf(58, start);
    if (colon > start && colon < end && h.toString("latin1", start, colon).trim().toLowerCase() === CTE) {
      const term = h[end - 1] !== 10 ? "" : h[end - 2] === 13 ? "\r\n" : "\n";
      return Buffer.concat([h.subarray(0, start), Buffer.from(`Content-Transfer-Encoding: ${value}${term}`), h.subarray(end)]);
    }
    start = end;
  }
  return h;
}

/** End of the header field starting at `start`: after its last line, continuation lines included. */
function fieldEnd(h: Buffer, start: number): number {
  let i = start;
  for (;;) {
    const lf = h.indexOf(10, i);
    if (lf < 0) return h.length;
    i = lf + 1;
    if (i >= h.length || (h[i] !== 32 && h[i] !== 9)) return i;
  }
}
