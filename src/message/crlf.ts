// File bytes (LF, maybe CRLF or bare CR) → the CRLF wire form, while streaming, with a
// partial <offset.length> applied in CRLF coordinates. A LF not preceded by CR becomes CRLF;
// everything else passes unchanged (bare CR stays one byte, as Dovecot sends it). The byte
// work is done in C (src/native/crlf.c): in JavaScript it was a third of the user process's CPU
// while it sent a 20 MB body.
import { Transform, type TransformCallback } from "node:stream";
import { nativeAddon } from "../native/addon.js";
import type { SectionData } from "./model.js";

/** CRLF-form size of data[start, end). */
export function crlfSize(data: Buffer, start = 0, end = data.length): number {
  return end - start + nativeAddon().missingCrs(data.subarray(start, end));
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
    const whole = nativeAddon().toCrlf(chunk, this.prev);
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
