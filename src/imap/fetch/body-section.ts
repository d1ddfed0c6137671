// BODY[section] and RFC822* (Dovecot's imap-fetch-body.c): a section's pieces as one literal,
// bytes already in wire form given at once, file ranges read through the LF → CRLF converter
// as they stream to the client. CATENATE (RFC 4469) copies a URL's section through the same
// piece writer, so it gets the very bytes FETCH would send.
import type { Section } from "../../protocol/ast.js";
import type { FetchResponseWriter } from "../../protocol/fetch-response.js";
import type { SectionData } from "../../message/model.js";
import { CrlfConverter, partialPieces } from "../../message/index.js";
import type { PlannedPiece } from "../../message/crlf.js";
import type { MessageBytes } from "../../store/contract.js";
import { BrokenResponse } from "../result.js";

/** What a body item asks for: a section, maybe only part of it. */
export interface BodyRequest {
  section: Section;
  partial?: { offset: number; length: number };
}

/** The CRLF-form bytes [skip, skip + take) of the file range [start, end). */
async function* crlfRange(bytes: MessageBytes, start: number, end: number, skip: number, take: number): AsyncGenerator<Buffer> {
  const conv = new CrlfConverter(skip, take);
  for await (const chunk of bytes.chunks(start, end)) {
    const out = conv.convert(chunk);
    if (out) yield out;
    if (conv.finished) return;
  }
}

/** A file range up to this size is read at once and goes out with the next write (most
 *  messages: a stream per message cost two writes and a chain of promises each). */
const READ_AT_ONCE = 64 * 1024;

/**
 * `name {n}\r\n` and the section's bytes; `bytes` is open when some piece is a file range.
 * Synchronous while the pieces are bytes in memory (a cached HEADER.FIELDS: no promise per
 * message); a promise once a piece is read from the file.
 */
export function writeSection(
  w: FetchResponseWriter, name: string, uid: number, sec: SectionData, req: BodyRequest, bytes: MessageBytes | undefined,
): void | Promise<void> {
  const { size, plan } = partialPieces(sec, req.partial);
  w.literal(name, size);
  let k = 0;
  for (; k < plan.length; k++) {
    const { piece, skip, take } = plan[k];
    if (!("bytes" in piece)) break;
    w.bytes(piece.bytes.subarray(skip, skip + take));
  }
  if (k === plan.length) return;
  return writePieces(w, plan.slice(k), bytes).catch((e: unknown) => {
    throw new BrokenResponse(`reading UID ${uid} failed after ${w.literalSent} of ${size} bytes: ${(e as Error).message}`);
  });
}

/** Where a section's wire bytes go: a FETCH response's literal, or a CATENATE message being put together. */
export interface SectionSink {
  bytes(b: Buffer): void;
  stream(chunks: AsyncIterable<Buffer>): Promise<void>;
}

/** The planned pieces' wire bytes into `w`; `bytes` is open when some piece is a file range. */
export async function writePieces(w: SectionSink, plan: readonly PlannedPiece[], bytes: MessageBytes | undefined): Promise<void> {
  for (const { piece, skip, take } of plan) {
    if ("bytes" in piece) w.bytes(piece.bytes.subarray(skip, skip + take));
    else if (piece.end - piece.start <= READ_AT_ONCE) {
      const out = new CrlfConverter(skip, take).convert(await bytes!.read(piece.start, piece.end));
      if (out) w.bytes(out);
    } else await w.stream(crlfRange(bytes!, piece.start, piece.end, skip, take));
  }
}
