// The FETCH response writer: `* n FETCH (` items `)`, with literals whose bytes are given or
// streamed. Every byte of a FETCH response's syntax is written here; the caller says what each
// item is (a number, a number list, a value already encoded, NIL, a literal of n bytes).
//
// Bytes are gathered into large writes: a FETCH of 10,000 messages wrote 10,000 small buffers,
// each a syscall here and a read plus a TLS record in the root process; one write per ~64 KB
// costs a fraction of that. Text is kept as a latin1 string (one char per byte) until it is
// flushed, so building a line is string concatenation, not buffer copies.

/** Where the bytes go; resolves when the sink can take more (socket back-pressure). */
export type ByteSink = (chunk: Buffer) => Promise<void>;

/** A literal ended with more or fewer bytes than its `{n}` announced. */
export class LiteralLengthError extends Error {
  constructor(readonly sent: number, readonly size: number) {
    super(`sent ${sent} bytes of a ${size}-byte literal`);
  }
}

const FLUSH_AT = 64 * 1024;

/** `* n FETCH (`: how every FETCH response begins */
const fetchOpen = (seq: number): string => `* ${seq} FETCH (`;
const FETCH_END = ")\r\n";

export class FetchResponseWriter {
  private text = "";
  private bufs: Buffer[] = [];
  private bufBytes = 0;
  /** no item yet in the open response */
  private first = true;
  /** the open literal's announced size and the bytes given so far (-1: none open) */
  private literalSize = -1;
  private literalGot = 0;

  constructor(private readonly sink: ByteSink) {}

  /** `* n FETCH (` */
  begin(seq: number): void {
    this.text += fetchOpen(seq);
    this.first = true;
  }

  private name(name: string): void {
    this.closeLiteral();
    this.text += this.first ? name : " " + name;
    this.first = false;
  }

  number(name: string, n: number): void {
    this.name(name);
    this.text += " " + n;
  }

  /** `NAME (n)`, as MODSEQ is sent */
  numberList(name: string, n: number): void {
    this.name(name);
    this.text += ` (${n})`;
  }

  /** A value already in wire form (latin1): a flag list, a date, an ENVELOPE made once. */
  encoded(name: string, wire: string): void {
    this.name(name);
    this.text += " " + wire;
  }

  nil(name: string): void {
    this.name(name);
    this.text += " NIL";
  }

  /**
   * `NAME {size}\r\n`, or `NAME ~{size}\r\n` for a literal8 (RFC 3516); the `size` bytes follow
   * through bytes() and stream(), and are counted before the next item.
   */
  literal(name: string, size: number, literal8 = false): void {
    this.name(name);
    this.text += ` ${literal8 ? "~" : ""}{${size}}\r\n`;
    this.literalSize = size;
    this.literalGot = 0;
  }

  /** A literal8 when the data holds NUL, else an ordinary literal (RFC 3516 §4.2), with its bytes. */
  binaryLiteral(name: string, bytes: Buffer): void {
    this.literal(name, bytes.length, bytes.includes(0));
    this.bytes(bytes);
  }

  /** Bytes of the open literal, kept for the next write. */
  bytes(b: Buffer): void {
    this.literalGot += b.length;
    this.textToBufs();
    this.bufs.push(b);
    this.bufBytes += b.length;
  }

  /** Bytes of the open literal read as they come, each written when the sink takes it. */
  async stream(chunks: AsyncIterable<Buffer>): Promise<void> {
    await this.flush();
    for await (const chunk of chunks) {
      this.literalGot += chunk.length;
      await this.sink(chunk);
    }
  }

  /** Bytes of the open literal so far (to report how far a failed read got). */
  get literalSent(): number {
    return this.literalGot;
  }

  private closeLiteral(): void {
    if (this.literalSize < 0) return;
    const { literalGot: got, literalSize: size } = this;
    this.literalSize = -1;
    if (got !== size) throw new LiteralLengthError(got, size);
  }

  /** `)\r\n` */
  end(): void {
    this.closeLiteral();
    this.text += FETCH_END;
  }

  /** Enough has gathered for a write: flush (between responses). A getter, not an async
   *  method: a warm FETCH would pay a promise per message for the question. */
  get full(): boolean {
    return this.text.length + this.bufBytes >= FLUSH_AT;
  }

  async flush(): Promise<void> {
    this.textToBufs();
    if (this.bufs.length === 0) return;
    const out = this.bufs.length === 1 ? this.bufs[0] : Buffer.concat(this.bufs, this.bufBytes);
    this.bufs = [];
    this.bufBytes = 0;
    await this.sink(out);
  }

  private textToBufs(): void {
    if (!this.text) return;
    const b = Buffer.from(this.text, "latin1");
    this.text = "";
    this.bufs.push(b);
    this.bufBytes += b.length;
  }
}

// ---- FETCH responses that are one line of record items (STORE's answers, flag updates) ----

/** The FETCH items that tell a message's flags: `UID n FLAGS (...) MODSEQ (n)` (UID, MODSEQ optional). */
export function flagsFetchItems(flags: string, uid?: number, modseq?: number): string {
  return `${uid !== undefined ? `UID ${uid} ` : ""}FLAGS ${flags}${modseq !== undefined ? ` MODSEQ (${modseq})` : ""}`;
}

/** `* n FETCH (items)` for items already written by flagsFetchItems or modseqFetchItems. */
export function fetchItemsResponse(seq: number, items: string): string {
  return fetchOpen(seq) + items + FETCH_END;
}

/** `UID n MODSEQ (m)`: what .SILENT STORE still tells under CONDSTORE (RFC 7162 §3.1.3). */
export function modseqFetchItems(modseq: number, uid?: number): string {
  return `${uid !== undefined ? `UID ${uid} ` : ""}MODSEQ (${modseq})`;
}
