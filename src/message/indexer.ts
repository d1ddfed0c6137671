// One pass over a message's bytes → MimeIndex. Streaming: push() chunks, finish() at the end;
// only header lines (capped) and the first bytes of body lines are looked at, so a 50 MB
// message is never held here. MIME rules follow Dovecot's message-parser: a boundary is any
// line starting with "--" + boundary (innermost first); the line end before a boundary line
// belongs to the boundary; a bare CR is an ordinary byte (counts 1); every LF not preceded by
// CR counts 2 in the CRLF ("virtual") sizes.
import { createHash } from "node:crypto";
import type { MimeIndex, MimeMessage, MimePart } from "./model.js";
import { HeaderCollector } from "./header-collector.js";
import { parseContentType, parseDisposition, parseEncoding, parseLanguage, paramValue } from "./mime-fields.js";
import { buildEnvelope, buildSort } from "./envelope-build.js";

/** The content digest's length: 120 bits of SHA-256, in base64url (EMAILID, RFC 8474). */
const DIGEST_CHARS = 20;
export const INDEX_VERSION = 2; // 2: ISO-2022 subjects decoded for SORT
/** Dovecot's message_parser limits: deeper multiparts are leaves, later boundaries are body */
export const MAX_NESTED_PARTS = 100;
export const MAX_TOTAL_PARTS = 10_000;
/** bytes of a body line kept while it is split across chunks (enough for any boundary) */
const BODY_LINE_KEEP = 512;
const HEADER_LINE_KEEP = 256 * 1024;

/** A part whose Content-Type was not written in lower case keeps its spelling here. */
export type RawPart = MimePart & { rawType?: string; rawSubtype?: string };

interface Open {
  part: MimePart;
  inHeader: boolean;
  hdr: HeaderCollector | null;
  isMessage: boolean;
  headerStartV: number;
  bodyStartV: number;
  bodyStartL: number;
  /** for a multipart: its boundary while children may still start */
  boundary: string | null;
  digest: boolean;
  parentDigest: boolean;
  depth: number;
}

/** A text/plain part with no header and no body at `start`. */
export function newPart(start: number): MimePart {
  return {
    headerStart: start, headerEnd: start, bodyStart: start, bodyEnd: start,
    headerSize: 0, bodySize: 0, bodyLines: 0,
    type: "text", subtype: "plain", params: [], id: null, description: null, encoding: "7bit",
    md5: null, disposition: null, language: null, location: null,
  };
}

export class MimeIndexer {
  private pos = 0; // file offset of the current line start
  private v = 0; // CRLF-form offset of the current line start
  private l = 0; // LFs before the current line
  private prevTermFile = 0;
  private prevTermV = 0;
  private prevHadLf = false;
  private prevWasBoundary = false;
  private carry: Buffer[] = [];
  private carryKept = 0;
  private carryLen = 0;
  private carryLast = -1;
  private stack: Open[] = [];
  private totalParts = 1;
  private root: MimeMessage;
  private done: MimeIndex | null = null;
  private readonly hash = createHash("sha256");

  constructor() {
    this.root = { ...newPart(0), envelope: [] };
    this.stack.push(this.open(this.root, true, false, 0));
  }

  private open(part: MimePart, isMessage: boolean, parentDigest: boolean, depth: number): Open {
    return {
      part, inHeader: true, hdr: new HeaderCollector(isMessage), isMessage,
      headerStartV: this.v, bodyStartV: this.v, bodyStartL: this.l,
      boundary: null, digest: false, parentDigest, depth,
    };
  }

  private get keepLimit(): number {
    return this.stack[this.stack.length - 1].inHeader ? HEADER_LINE_KEEP : BODY_LINE_KEEP;
  }

  push(chunk: Buffer): void {
    if (this.done) throw new Error("MimeIndexer: push after finish");
    this.hash.update(chunk);
    let start = 0;
    while (start < chunk.length) {
      const lf = chunk.indexOf(10, start);
      if (lf < 0) {
        this.keep(chunk, start, chunk.length);
        return;
      }
      if (this.carryLen > 0) {
        const crBefore = lf > start ? chunk[lf - 1] === 13 : this.carryLast === 13;
        this.keep(chunk, start, lf + 1);
        const line = this.carry.length === 1 ? this.carry[0] : Buffer.concat(this.carry);
        this.line(line, 0, line.length, this.carryLen, true, crBefore);
        this.carry = [];
        this.carryKept = this.carryLen = 0;
        this.carryLast = -1;
      } else {
        this.line(chunk, start, lf + 1, lf + 1 - start, true, lf > start && chunk[lf - 1] === 13);
      }
      start = lf + 1;
    }
  }

  private keep(chunk: Buffer, start: number, end: number): void {
    const room = this.keepLimit - this.carryKept;
    if (room > 0) {
      const n = Math.min(room, end - start);
      this.carry.push(Buffer.from(chunk.subarray(start, start + n)));
      this.carryKept += n;
    }
    this.carryLen += end - start;
    if (end > start) this.carryLast = chunk[end - 1];
  }

  finish(): MimeIndex {
    if (this.done) return this.done;
    if (this.carryLen > 0) {
      const line = Buffer.concat(this.carry);
      this.line(line, 0, line.length, this.carryLen, false, false);
    }
    while (this.stack.length) this.close(this.stack.pop()!, this.pos, this.v, this.l);
    const root = this.root;
    this.done = { v: INDEX_VERSION, size: this.v, root, sort: this.sortOf, digest: this.hash.digest("base64url").slice(0, DIGEST_CHARS) };
    return this.done;
  }

  private sortOf: MimeIndex["sort"] = {
    date: null, subject: "", from: "", to: "", cc: "", messageId: null, inReplyTo: null, references: [],
  };

  /**
   * One line: `buf[start, kept)` are its first bytes (all of them unless it was very long),
   * `len` its full length in the file, `lf` whether it ends with LF, `crlf` whether CR LF.
   */
  private line(buf: Buffer, start: number, kept: number, len: number, lf: boolean, crlf: boolean): void {
    const vlen = len + (lf && !crlf ? 1 : 0);
    const top = this.stack[this.stack.length - 1];
    if (len >= 3 && buf[start] === 45 && buf[start + 1] === 45 && this.boundaryLine(buf, start, kept)) {
      this.advance(len, vlen, lf, crlf);
      this.prevWasBoundary = true;
      const mp = this.pendingParent;
      if (mp) {
        this.pendingParent = null;
        this.startChild(mp);
      }
      return;
    } else if (top.inHeader) {
      const contentEnd = start + Math.min(kept, len) - (lf ? (crlf ? 2 : 1) : 0);
      if (contentEnd <= start && lf) {
        this.advance(len, vlen, lf, crlf);
        this.endHeader(top);
        return;
      }
      top.hdr!.line(buf, start, Math.max(start, contentEnd));
    }
    this.advance(len, vlen, lf, crlf);
  }

  private advance(len: number, vlen: number, lf: boolean, crlf: boolean): void {
    this.pos += len;
    this.v += vlen;
    if (lf) this.l++;
    this.prevTermFile = lf ? (crlf ? 2 : 1) : 0;
    this.prevTermV = lf ? 2 : 0;
    this.prevHadLf = lf;
    this.prevWasBoundary = false;
  }

  /** Is this a boundary line of an open multipart? If so, close and open parts accordingly. */
  private boundaryLine(buf: Buffer, start: number, end: number): boolean {
    // past the part limit Dovecot stops seeing boundaries at all, closing ones included
    if (this.totalParts >= MAX_TOTAL_PARTS) return false;
    for (let i = this.stack.length - 1; i >= 0; i--) {
      const b = this.stack[i].boundary;
      if (b === null || end - start < 2 + b.length) continue;
      if (buf.toString("latin1", start + 2, start + 2 + b.length) !== b) continue;
      const closing = buf[start + 2 + b.length] === 45 && buf[start + 3 + b.length] === 45;
      const mp = this.stack[i];
      // the line end before a boundary belongs to it, unless that line was a boundary line
      // itself (whose line end is already its own), as in Dovecot's parse_part_finish
      const own = this.prevWasBoundary;
      const endPos = this.pos - (own ? 0 : this.prevTermFile);
      const endV = this.v - (own ? 0 : this.prevTermV);
      const endL = this.l - (!own && this.prevHadLf ? 1 : 0);
      while (this.stack.length > i + 1) this.close(this.stack.pop()!, endPos, endV, endL);
      if (closing) {
        mp.boundary = null;
        return true;
      }
      this.totalParts++;
      this.pendingParent = mp; // the child's header starts on the next line
      return true;
    }
    return false;
  }

  private pendingParent: Open | null = null;

  private startChild(mp: Open): void {
    const child = newPart(this.pos);
    (mp.part.parts ??= []).push(child);
    this.stack.push(this.open(child, false, mp.digest, mp.depth + 1));
  }

  private endHeader(o: Open): void {
    o.inHeader = false;
    const p = o.part;
    p.headerEnd = p.bodyStart = this.pos;
    p.headerSize = this.v - o.headerStartV;
    o.bodyStartV = this.v;
    o.bodyStartL = this.l;
    this.applyHeader(o);
    if (p.type === "multipart") {
      if (o.depth < MAX_NESTED_PARTS) {
        o.boundary = paramValue(p.params, "boundary");
        o.digest = p.subtype === "digest";
      }
      p.parts = [];
    } else if (p.type === "message" && p.subtype === "rfc822" && o.depth < MAX_NESTED_PARTS) {
      const m: MimeMessage = { ...newPart(this.pos), envelope: [] };
      p.message = m;
      this.stack.push(this.open(m, true, false, o.depth + 1));
    }
  }

  private applyHeader(o: Open): void {
    const p = o.part;
    const h = o.hdr!;
    const ctRaw = h.first("content-type");
    if (ctRaw !== null) {
      const ct = parseContentType(ctRaw);
      // the contract keeps type/subtype lower-case; the spelling sent is kept for rendering
      p.type = ct.type.toLowerCase();
      p.subtype = ct.subtype.toLowerCase();
      if (p.type !== ct.type) (p as RawPart).rawType = ct.type;
      if (p.subtype !== ct.subtype) (p as RawPart).rawSubtype = ct.subtype;
      p.params = ct.params;
    } else if (o.parentDigest) {
      p.type = "message";
      p.subtype = "rfc822";
    }
    const cte = h.first("content-transfer-encoding");
    if (cte !== null) p.encoding = parseEncoding(cte) ?? "7bit";
    p.id = h.first("content-id");
    p.description = h.first("content-description");
    p.md5 = h.first("content-md5");
    const disp = h.last("content-disposition");
    p.disposition = disp === null ? null : parseDisposition(disp);
    const lang = h.first("content-language");
    p.language = lang === null ? null : parseLanguage(lang);
    p.location = h.first("content-location");
    if (o.isMessage) {
      const env = buildEnvelope(h);
      (p as MimeMessage).envelope = env;
      if (p === this.root) this.sortOf = buildSort(h, env);
    }
    o.hdr = null;
  }

  private close(o: Open, endPos: number, endV: number, endL: number): void {
    const p = o.part;
    // a message/rfc822 part whose blank line is also the boundary's line end: the message
    // inside began after that line end, and moves back with its part (see the cut below)
    if (endPos < p.headerStart) p.headerStart = endPos;
    if (o.inHeader) {
      p.headerEnd = p.bodyStart = p.bodyEnd = Math.max(p.headerStart, endPos);
      p.headerSize = Math.max(0, endV - o.headerStartV);
      this.applyHeader(o);
      o.inHeader = false;
      if (p.type === "multipart") p.parts = [];
      return;
    }
    if (endPos < p.bodyStart) {
      // empty body right before a boundary: the line end taken by the boundary is the blank
      // line's, so the header block gives it up (as Dovecot's MIME section shows)
      const cut = Math.max(p.headerStart, endPos);
      p.headerSize = Math.max(0, p.headerSize - (o.bodyStartV - Math.max(endV, o.headerStartV)));
      p.headerEnd = p.bodyStart = p.bodyEnd = cut;
      p.bodySize = p.bodyLines = 0;
      return;
    }
    p.bodyEnd = endPos;
    p.bodySize = Math.max(0, endV - o.bodyStartV);
    p.bodyLines = Math.max(0, endL - o.bodyStartL);
  }
}

/** Index a message held in memory. */
export function indexMessage(data: Buffer): MimeIndex {
  const ix = new MimeIndexer();
  ix.push(data);
  return ix.finish();
}

