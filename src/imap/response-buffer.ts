// Response bytes gathered into large writes. A FETCH of 10,000 messages wrote 10,000 small
// buffers, each a syscall here and a read plus a TLS record in the root process; one write per
// ~64 KB costs a fraction of that. Text is kept as a latin1 string (one char per byte) until it
// is flushed, so building a line is string concatenation, not buffer copies.
import type { SessionContext } from "./context.js";

const FLUSH_AT = 64 * 1024;

export class Batch {
  private text = "";
  private bufs: Buffer[] = [];
  private bufBytes = 0;

  constructor(private readonly s: SessionContext) {}

  /** Bytes already in wire form, as a latin1 string. */
  addText(latin1: string): void {
    this.text += latin1;
  }

  addBytes(b: Buffer): void {
    this.textToBufs();
    this.bufs.push(b);
    this.bufBytes += b.length;
  }

  /** Flushes when enough has gathered (call between messages). */
  async maybeFlush(): Promise<void> {
    if (this.text.length + this.bufBytes >= FLUSH_AT) await this.flush();
  }

  async flush(): Promise<void> {
    this.textToBufs();
    if (this.bufs.length === 0) return;
    const out = this.bufs.length === 1 ? this.bufs[0] : Buffer.concat(this.bufs, this.bufBytes);
    this.bufs = [];
    this.bufBytes = 0;
    await this.s.write(out);
  }

  private textToBufs(): void {
    if (!this.text) return;
    const b = Buffer.from(this.text, "latin1");
    this.text = "";
    this.bufs.push(b);
    this.bufBytes += b.length;
  }
}
