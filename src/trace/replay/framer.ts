// Splits a server's byte stream into whole responses: a line up to CRLF, and when that line
// ends in a literal announcement ({n}, or ~{n} for literal8) the n bytes that follow and the
// rest of the response after them. Responses are kept as latin-1 text without the final CRLF,
// literals inline, so that they compare byte for byte.
const LITERAL_AT_END = /\{(\d+)\}$/;

export class ResponseFramer {
  private buf: Buffer = Buffer.alloc(0);
  // Bytes of the response being assembled (complete line parts and literals so far).
  private partial: Buffer[] = [];

  /** Feeds bytes; returns the responses they complete. */
  push(chunk: Buffer): string[] {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const out: string[] = [];
    for (;;) {
      const crlf = this.buf.indexOf("\r\n");
      if (crlf < 0) break;
      const line = this.buf.subarray(0, crlf);
      const m = LITERAL_AT_END.exec(line.toString("latin1"));
      if (m) {
        const n = Number(m[1]);
        const need = crlf + 2 + n;
        if (this.buf.length < need) break; // wait for the whole literal
        this.partial.push(this.buf.subarray(0, need));
        this.buf = this.buf.subarray(need);
        continue;
      }
      this.partial.push(line);
      out.push(Buffer.concat(this.partial).toString("latin1"));
      this.partial = [];
      this.buf = this.buf.subarray(crlf + 2);
    }
    return out;
  }

  /** Whatever was received without its final CRLF (a partial response), then forgets it. */
  flush(): string | undefined {
    if (this.partial.length === 0 && this.buf.length === 0) return undefined;
    const text = Buffer.concat([...this.partial, this.buf]).toString("latin1");
    this.partial = [];
    this.buf = Buffer.alloc(0);
    return text;
  }

  get pending(): boolean {
    return this.partial.length > 0 || this.buf.length > 0;
  }
}

/** Frames a complete byte stream (e.g. a recorded connection); a trailing partial response is kept. */
export function frameAll(bytes: Buffer): string[] {
  const f = new ResponseFramer();
  const out = f.push(bytes);
  const rest = f.flush();
  if (rest !== undefined) out.push(rest);
  return out;
}
