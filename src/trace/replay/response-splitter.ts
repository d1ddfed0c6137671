// Splits a server's byte stream into whole responses: a line up to CRLF, and when that line
// ends in a literal announcement ({n}, or ~{n} for literal8) the n bytes that follow and the
// rest of the response after them. Responses are kept as latin-1 text without the final CRLF,
// literals inline, so that they compare byte for byte. Works on latin-1 text, so a recording's
// data goes in as it is: there a redacted literal's bytes are a marker (src/trace/redact.ts),
// which stands for the whole literal whatever its length.
import { markerAt } from "../redact.js";

const LITERAL_AT_END = /\{(\d+)\}$/;

export class ResponseFramer {
  private buf = "";
  // The response being assembled (complete line parts and literals so far).
  private partial = "";
  // Length `buf` must reach before a literal it waits for can be complete (0: look now).
  private need = 0;

  /** Feeds bytes (or latin-1 decoded text); returns the responses they complete. */
  push(chunk: Buffer | string): string[] {
    this.buf += typeof chunk === "string" ? chunk : chunk.toString("latin1");
    if (this.buf.length < this.need) return []; // inside a long literal: no need to look
    this.need = 0;
    const out: string[] = [];
    let pos = 0;
    for (;;) {
      const crlf = this.buf.indexOf("\r\n", pos);
      if (crlf < 0) break;
      const m = LITERAL_AT_END.exec(this.buf.slice(pos, crlf));
      if (m) {
        const n = Number(m[1]);
        const start = crlf + 2;
        const marker = markerAt(this.buf, start);
        const size = marker && marker.length === n ? marker.text.length : n;
        if (this.buf.length < start + size) {
          // wait for the whole literal; a marker may still be arriving, so only plain bytes
          // let the next pushes skip the search
          if (start < this.buf.length && this.buf.charCodeAt(start) !== 0x27e6) this.need = start + n - pos;
          break;
        }
        this.partial += this.buf.slice(pos, start + size);
        pos = start + size;
        continue;
      }
      out.push(this.partial + this.buf.slice(pos, crlf));
      this.partial = "";
      pos = crlf + 2;
    }
    this.buf = this.buf.slice(pos);
    return out;
  }

  /** Whatever was received without its final CRLF (a partial response), then forgets it. */
  flush(): string | undefined {
    if (this.partial === "" && this.buf === "") return undefined;
    const text = this.partial + this.buf;
    this.partial = "";
    this.buf = "";
    this.need = 0;
    return text;
  }

  get pending(): boolean {
    return this.partial !== "" || this.buf !== "";
  }
}

/** Frames a complete byte stream (e.g. a recorded connection); a trailing partial response is kept. */
export function frameAll(bytes: Buffer | string): string[] {
  const f = new ResponseFramer();
  const out = f.push(bytes);
  const rest = f.flush();
  if (rest !== undefined) out.push(rest);
  return out;
}
