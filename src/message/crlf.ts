// File bytes (LF, maybe CRLF or bare CR) → the CRLF wire form, while streaming, with a
// partial <offset.length> applied in CRLF coordinates. A LF not preceded by CR becomes CRLF;
// everything else passes unchanged (bare CR stays one byte, as Dovecot sends it).
import { Transform, type TransformCallback } from "node:stream";
import type { SectionData } from "./types.js";

/** CRLF-form size of data[start, end). */
export function crlfSize(data: Buffer, start = 0, end = data.length): number {
  let n = end - start;
  let i = data.indexOf(10, start);
  while (i >= 0 && i < end) {
    if (i === start || data[i - 1] !== 13) n++;
    i = data.indexOf(10, i + 1);
  }
  return n;
}

/** Stateful converter: feed chunks in order, get wire bytes within [skip, skip+take). */
export class CrlfConverter {
  private prev = -1;
  private out = 0; // CRLF-form bytes produced so far (before windowing)

  constructor(
    private readonly skip = 0,
    private readonly take = Infinity,
  ) {}

  get finished(): boolean {
    return this.out >= this.skip + this.take;
  }

  convert(chunk: Buffer): Buffer | null {
    const whole = chunk.indexOf(13) < 0 && !(this.prev === 13 && chunk[0] === 10)
      ? noCrToCrlf(chunk)
      : mixedToCrlf(chunk, this.prev);
    if (chunk.length) this.prev = chunk[chunk.length - 1];
    const from = this.out;
    const to = from + whole.length;
    this.out = to;
    const lo = Math.max(from, this.skip);
    const hi = Math.min(to, this.skip + this.take);
    if (hi <= lo) return null;
    return lo === from && hi === to ? whole : whole.subarray(lo - from, hi - from);
  }
}

/**
 * A chunk without CR (mail as MH stores it): every LF gets its CR. Done on a latin1 string
 * (byte for byte the same, both ways) by V8's native replaceAll: a 20 MB base64 body in 256 KB
 * chunks took 88 ms of CPU the per-line way below, 59 ms so.
 */
function noCrToCrlf(chunk: Buffer): Buffer {
  if (chunk.indexOf(10) < 0) return chunk;
  return Buffer.from(chunk.toString("latin1").replaceAll("\n", "\r\n"), "latin1");
}

/** Any chunk: one pass to count the CRs to add, then one copy into a buffer of the final size. */
function mixedToCrlf(chunk: Buffer, prev: number): Buffer {
  let add = 0;
  let i = chunk.indexOf(10);
  while (i >= 0) {
    if ((i > 0 ? chunk[i - 1] : prev) !== 13) add++;
    i = chunk.indexOf(10, i + 1);
  }
  if (add === 0) return chunk;
  const whole = Buffer.allocUnsafe(chunk.length + add);
  let seg = 0;
  let at = 0;
  i = chunk.indexOf(10);
  while (i >= 0) {
    if ((i > 0 ? chunk[i - 1] : prev) !== 13) {
      at += chunk.copy(whole, at, seg, i);
      whole[at++] = 13;
      seg = i; // the LF itself goes with the next segment
    }
    i = chunk.indexOf(10, i + 1);
  }
  chunk.copy(whole, at, seg);
  return whole;
}


/** Generator form: convert an iterable of file chunks. */
export function* crlfChunks(chunks: Iterable<Buffer>, skip = 0, take = Infinity): Generator<Buffer> {
  const c = new CrlfConverter(skip, take);
  for (const chunk of chunks) {
    const b = c.convert(chunk);
    if (b) yield b;
    if (c.finished) return;
  }
}

/** Node Transform: pipe fs.createReadStream(path, {start, end: end - 1}) through it. */
export class CrlfTransform extends Transform {
  private readonly c: CrlfConverter;
  constructor(skip = 0, take = Infinity) {
    super();
    this.c = new CrlfConverter(skip, take);
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    if (this.c.finished) return cb();
    const b = this.c.convert(chunk);
    cb(null, b ?? undefined);
  }
}

export interface PlannedPiece {
  piece: SectionData["pieces"][number];
  /** CRLF-form bytes of this piece to skip, then to send */
  skip: number;
  take: number;
}

/**
 * Apply a partial <offset.length> to a section: which pieces to send, and how much of each
 * (CRLF coordinates), plus the literal size. Without a partial, everything.
 */
export function partialPieces(
  section: SectionData,
  partial?: { offset: number; length: number },
): { size: number; plan: PlannedPiece[] } {
  const from = partial ? Math.min(partial.offset, section.size) : 0;
  const to = partial ? Math.min(section.size, partial.offset + partial.length) : section.size;
  const plan: PlannedPiece[] = [];
  let at = 0;
  const single = section.pieces.length === 1;
  for (const piece of section.pieces) {
    const size = "bytes" in piece ? piece.bytes.length : (piece.size ?? (single ? section.size : NaN));
    if (Number.isNaN(size)) throw new Error("partialPieces: a file range without size in a multi-piece section");
    const lo = Math.max(from, at);
    const hi = Math.min(to, at + size);
    if (hi > lo) plan.push({ piece, skip: lo - at, take: hi - lo });
    at += size;
  }
  return { size: Math.max(0, to - from), plan };
}
