// FETCH / UID FETCH (RFC 3501 §6.4.5). Bodies are streamed from the message file through the
// message model's CRLF converter with socket back-pressure; nothing large is built in memory.
// Everything that could fail (index, open file) happens before a message's response starts,
// so a message expunged meanwhile is skipped cleanly and the answer is Dovecot's: OK
// [EXPUNGEISSUED] (RFC 2180 §4.1 leaves it open; clients and imaptest count a NO as a failure).
import type { FileHandle } from "node:fs/promises";
import type { SessionContext } from "../context.js";
import type { Command, FetchAtt, Section } from "../../protocol/ast.js";
import type { MimeIndex, SectionData } from "../../message/model.js";
import { bodyStructure, envelope, resolveSection, partialPieces, CrlfConverter, binarySection } from "../../message/index.js";
import type { MessageRecord } from "../../store/contract.js";
import type { MailboxView } from "../view.js";
import { ok, no, bad, BrokenResponse, CommandFailure, type Result, type CommandOf } from "../result.js";
import { enableCondstore, vanishedEarlier, vanishedSince } from "../condstore.js";
import { encodeData as data, internalDate } from "../../protocol/encode.js";
import { messageCache } from "../message-cache.js";
import { Batch } from "../response-buffer.js";
import { astring } from "../../protocol/encode.js";
import { TimeSlice } from "../time-slice.js";

type BodyAtt = { label: string; peek: boolean; section: Section; partial?: { offset: number; length: number } };

/** RFC822* are BODY[...] under their own names. */
function bodyAtt(att: FetchAtt): BodyAtt | null {
  switch (att.kind) {
    case "RFC822": return { label: "RFC822", peek: false, section: { part: [] } };
    case "RFC822.HEADER": return { label: "RFC822.HEADER", peek: true, section: { part: [], text: "HEADER" } };
    case "RFC822.TEXT": return { label: "RFC822.TEXT", peek: false, section: { part: [], text: "TEXT" } };
    case "BODY[]": {
      const s = att.section;
      let spec = s.part.join(".");
      if (s.text) spec += (spec ? "." : "") + s.text;
      // field names go back as the astrings they came as: a quoted "From To" is one name
      if (s.fields) spec += ` (${s.fields.map((f) => astring(f).toString("latin1")).join(" ")})`;
      // a partial echoes only its origin octet (RFC 3501 §7.4.2)
      const label = `BODY[${spec}]` + (att.partial ? `<${att.partial.offset}>` : "");
      return { label, peek: att.peek, section: s, partial: att.partial };
    }
    default: return null;
  }
}

type BinaryAtt = Extract<FetchAtt, { kind: "BINARY[]" | "BINARY.SIZE" }>;
const isBinary = (a: FetchAtt): a is BinaryAtt => a.kind === "BINARY[]" || a.kind === "BINARY.SIZE";

function needsIndex(atts: FetchAtt[]): boolean {
  return atts.some((a) => ["ENVELOPE", "BODYSTRUCTURE", "BODY"].includes(a.kind) || bodyAtt(a) !== null || isBinary(a));
}

/**
 * Whether the body items are all the whole message (BODY[], BODY.PEEK[], RFC822, with or
 * without a partial) and nothing else needs the MIME index: then the file is streamed as it is,
 * its size the record's RFC822.SIZE, and the message is not read into memory and parsed first
 * (a client downloading mail, mbsync say, asks only this; for a 20 MB message the parse was a
 * third of its first fetch).
 */
function wholeMessageOnly(atts: FetchAtt[], bodies: Map<FetchAtt, BodyAtt | null>): boolean {
  return atts.every((a) => {
    if (["ENVELOPE", "BODYSTRUCTURE", "BODY"].includes(a.kind) || isBinary(a)) return false;
    const b = bodies.get(a);
    return !b || (b.section.part.length === 0 && b.section.text === undefined);
  });
}

/** The header bytes of a file up to `end` (HEADER.FIELDS needs them). */
async function readHead(fh: FileHandle, end: number): Promise<Buffer> {
  const buf = Buffer.alloc(end);
  let at = 0;
  while (at < end) {
    const { bytesRead } = await fh.read(buf, at, end - at, at);
    if (bytesRead === 0) break;
    at += bytesRead;
  }
  return buf.subarray(0, at);
}

const READ_CHUNK = 256 * 1024;

/**
 * File bytes [start, end) in CRLF form to the client, in 256 KB reads (a read stream's 64 KB
 * chunks, each through a Transform, made 4x the hops). The next read is issued before waiting
 * for the socket to drain, so the disk and the socket work at the same time (the profile of a
 * 20 MB fetch showed both processes mostly idle, each waiting for the other).
 */
async function streamRange(s: SessionContext, fh: FileHandle, start: number, end: number, conv: CrlfConverter): Promise<number> {
  // a fresh buffer each time: the socket may still hold the previous one
  const readAt = (at: number) => {
    const buf = Buffer.allocUnsafe(Math.min(READ_CHUNK, end - at));
    return fh.read(buf, 0, buf.length, at).then(({ bytesRead }) => buf.subarray(0, bytesRead));
  };
  let sent = 0;
  let at = start;
  let next: Promise<Buffer> | null = at < end ? readAt(at) : null;
  try {
    while (next) {
      const chunk = await next;
      next = null;
      if (chunk.length === 0) break;
      at += chunk.length;
      if (at < end) next = readAt(at);
      const out = conv.convert(chunk);
      if (out) {
        sent += out.length;
        await s.write(out);
      }
      if (conv.finished) break;
    }
  } finally {
    // a read still in flight must end before the caller closes the file
    await next?.catch(() => undefined);
  }
  return sent;
}

interface Prepared {
  rec: MessageRecord;
  seq: number;
  index?: MimeIndex;
  fh?: FileHandle;
  sections: Map<BodyAtt, SectionData | null>;
  /** BINARY[...] and BINARY.SIZE[...]: the decoded part, null when there is no such part */
  binaries: Map<BinaryAtt, Buffer | null>;
}

/** How many messages are prepared ahead of the one being written (index, file open). */
const PREPARE_AHEAD = 8;

type Ahead = { p: Prepared } | { missing: true } | { error: unknown };

export async function fetch(s: SessionContext, cmd: CommandOf<"FETCH">): Promise<Result> {
  const view = s.view!;
  if (cmd.vanished && !(cmd.uid && cmd.changedSince !== undefined)) {
    return bad("VANISHED needs UID FETCH with CHANGEDSINCE.");
  }
  if (cmd.vanished && !s.enabled.has("QRESYNC")) return bad("VANISHED needs ENABLE QRESYNC first.");
  // CHANGEDSINCE and MODSEQ are CONDSTORE enabling (RFC 7162 §3.1)
  if (cmd.changedSince !== undefined || cmd.atts.some((a) => a.kind === "MODSEQ")) await enableCondstore(s);
  let uids = cmd.uid ? view.resolveUid(cmd.set) : view.resolveSeq(cmd.set);
  let atts: FetchAtt[] = cmd.uid && !cmd.atts.some((a) => a.kind === "UID") ? [{ kind: "UID" }, ...cmd.atts] : cmd.atts;
  const since = cmd.changedSince;
  if (since !== undefined) {
    // RFC 7162 §3.1.4.1: only messages changed since, and MODSEQ is implied
    if (cmd.vanished) for (const line of vanishedEarlier(vanishedSince(view, since, cmd.set))) await s.send(line);
    uids = uids.filter((u) => (view.record(u)?.modseq ?? 0) > since);
    if (!atts.some((a) => a.kind === "MODSEQ")) atts = [...atts, { kind: "MODSEQ" }];
  }
  const bodies = new Map(atts.map((a) => [a, bodyAtt(a)] as const));
  const setsSeen = !view.readOnly &&
    ([...bodies.values()].some((b) => b && !b.peek) || atts.some((a) => a.kind === "BINARY[]" && !a.peek));

  // \Seen first (RFC 3501: non-PEEK body fetches set it); the new flags go out in this FETCH
  const seenNow = new Set<number>();
  if (setsSeen) {
    const unseen = uids.filter((u) => { const r = view.record(u); return r && !r.flags.includes("\\Seen"); });
    if (unseen.length) {
      const res = await view.mailbox.storeFlags(unseen, "add", ["\\Seen"]);
      for (const r of res.changed) seenNow.add(r.uid);
    }
  }
  const wantsFlags = atts.some((a) => a.kind === "FLAGS");
  // under CONDSTORE every FETCH that tells flags tells their MODSEQ too (RFC 7162 §3.1)
  const addModseq = s.condstore && !atts.some((a) => a.kind === "MODSEQ");
  let missing = 0;
  const out = new Batch(s);
  const simple = !needsIndex(atts);
  let count = 0;
  // RFC822.SIZE may read each file (sizes are counted lazily): other sessions get turns between slices
  const slice = atts.some((a) => a.kind === "RFC822.SIZE") ? new TimeSlice() : null;
  // BINARY decodes whole messages in prepare: one at a time, so memory stays one message deep
  const window = atts.some(isBinary) ? 0 : PREPARE_AHEAD;
  // prepared ahead, in order; each settles to a value (never rejects), so none goes unhandled
  const ahead: Array<Promise<Ahead>> = [];
  const startPrepare = (rec: MessageRecord, seq: number): Promise<Ahead> =>
    prepare(s, rec, seq, atts, bodies).then(
      (p) => ({ p }),
      // a file gone or replaced (the store's EXPUNGEISSUED) is an expunged message
      (e: unknown) => (["ENOENT", "EXPUNGEISSUED"].includes((e as NodeJS.ErrnoException).code!) ? { missing: true as const } : { error: e }),
    );
  try {
    for (let i = 0; i < uids.length; i++) {
      const uid = uids[i];
      const rec = view.record(uid);
      const seq = view.seqOf(uid);
      if (!rec || !seq) {
        // its place in the window (if any) holds nothing to write
        if (ahead.length) { const got = await ahead.shift()!; if ("p" in got) await got.p.fh?.close(); }
        missing++;
        continue;
      }
      const flagsToo = !wantsFlags && seenNow.has(uid);
      const modseqToo = addModseq && (wantsFlags || seenNow.has(uid));
      if (simple) {
        out.addText(simpleResponse(view, rec, seq, atts, flagsToo, modseqToo));
        if (wantsFlags || seenNow.has(uid)) view.markReported(rec);
        if ((++count & 255) === 0) await out.maybeFlush();
        if (slice?.due()) await slice.next();
        continue;
      }
      // warm messages (index cached, nothing to open) are prepared at once, without promises
      let cached: Prepared | null | "missing" = null;
      if (ahead.length === 0 && window > 0) {
        try {
          cached = prepareCached(s, rec, seq, bodies);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
          cached = "missing";
        }
      }
      if (cached === "missing") { missing++; continue; }
      if (cached) {
        await writeOne(s, out, cached, atts, bodies, flagsToo, modseqToo);
        if (wantsFlags || seenNow.has(uid)) view.markReported(rec);
        await out.maybeFlush();
        if (slice?.due()) await slice.next();
        continue;
      }
      const next = ahead.shift() ?? startPrepare(rec, seq);
      // keep the next messages' index lookups and file opens in flight while this one is written
      for (let k = i + 1 + ahead.length; ahead.length < window && k < uids.length; k++) {
        const r = view.record(uids[k]);
        const q = view.seqOf(uids[k]);
        ahead.push(r && q ? startPrepare(r, q) : Promise.resolve({ missing: true }));
      }
      const got = await next;
      if ("missing" in got) { missing++; continue; }
      if ("error" in got) throw got.error;
      const p = got.p;
      try {
        await writeOne(s, out, p, atts, bodies, flagsToo, modseqToo);
      } finally {
        await p.fh?.close();
      }
      if (wantsFlags || seenNow.has(uid)) view.markReported(rec);
      await out.maybeFlush();
      if (slice?.due()) await slice.next();
    }
  } finally {
    // an error left prepared messages behind: close their files
    for (const got of await Promise.all(ahead)) if ("p" in got) await got.p.fh?.close();
    await out.flush();
  }
  if (missing) return ok("Some messages were already expunged.", "EXPUNGEISSUED");
  return ok("Fetch completed.");
}

/**
 * `prepare` for a message whose index is cached and whose body items are all top-level
 * HEADER.FIELDS (read from the cached header block): synchronous. Null when it does not apply
 * (BINARY callers never come here). Throws ENOENT when the header must be read and is gone.
 */
function prepareCached(
  s: SessionContext, rec: MessageRecord, seq: number, bodies: Map<FetchAtt, BodyAtt | null>,
): Prepared | null {
  const mbox = s.view!.mailbox;
  const index = messageCache.cachedIndex(mbox, rec.uid);
  if (!index) return null;
  const p: Prepared = { rec, seq, index, sections: new Map(), binaries: new Map() };
  for (const b of bodies.values()) {
    if (b === null) continue;
    if (!isTopFields(b.section)) return null;
    p.sections.set(b, topFields(mbox, rec.uid, index, b.section));
  }
  return p;
}

const isTopFields = (sec: Section): boolean =>
  sec.part.length === 0 && (sec.text === "HEADER.FIELDS" || sec.text === "HEADER.FIELDS.NOT");

/** A top-level BODY[HEADER.FIELDS (...)] as sent, made once per message and field list. */
function topFields(mbox: MailboxView["mailbox"], uid: number, index: MimeIndex, sec: Section): SectionData | null {
  // NUL cannot be in a field name (a quoted "From To" is one name, not two)
  const what = `${sec.text}\0${(sec.fields ?? []).join("\0").toLowerCase()}`;
  return messageCache.derived(mbox, uid, what,
    () => resolveSection(index, sec, messageCache.head(mbox, uid, index)),
    (d) => (d ? d.size + 100 : 0));
}

async function prepare(
  s: SessionContext, rec: MessageRecord, seq: number, atts: FetchAtt[], bodies: Map<FetchAtt, BodyAtt | null>,
): Promise<Prepared> {
  const p: Prepared = { rec, seq, sections: new Map(), binaries: new Map() };
  if (!needsIndex(atts)) return p;
  const mbox = s.view!.mailbox;
  if (wholeMessageOnly(atts, bodies)) {
    const { fh, fileSize } = await mbox.openMessage(rec.uid);
    p.fh = fh;
    const whole: SectionData = { size: rec.size, pieces: [{ start: 0, end: fileSize, size: rec.size }] };
    for (const b of bodies.values()) if (b) p.sections.set(b, whole);
    return p;
  }
  p.index = await messageCache.index(mbox, rec.uid);
  const binaries = atts.filter(isBinary);
  if (binaries.length) {
    const whole = await mbox.readMessage(rec.uid);
    for (const b of binaries) {
      const r = binarySection(p.index, b.part, whole);
      if (r !== null && !Buffer.isBuffer(r)) {
        throw new CommandFailure(no(`Unknown Content-Transfer-Encoding in message UID ${rec.uid}.`, "UNKNOWN-CTE"));
      }
      p.binaries.set(b, r);
    }
  }
  const wanted = [...bodies.values()].filter((b): b is BodyAtt => b !== null);
  if (wanted.length === 0) return p;
  let head: Buffer | undefined;
  for (const b of wanted) {
    let sec: SectionData | null;
    if (isTopFields(b.section)) {
      sec = topFields(mbox, rec.uid, p.index, b.section);
    } else if (b.section.text === "HEADER.FIELDS" || b.section.text === "HEADER.FIELDS.NOT") {
      const limit = headerLimit(p.index, b.section);
      if (!head || head.length < limit) {
        // the top-level header (the common case) comes from the cache, not the file
        if (limit === p.index.root.headerEnd) head = messageCache.head(mbox, rec.uid, p.index);
        else head = await readHead((p.fh ??= (await mbox.openMessage(rec.uid)).fh), limit);
      }
      sec = resolveSection(p.index, b.section, head);
    } else {
      sec = resolveSection(p.index, b.section);
    }
    p.sections.set(b, sec);
  }
  // the file is opened only when some piece must be streamed from it, and only if it still is
  // the message the index describes
  const fromFile = [...p.sections.values()].some((sec) => sec?.pieces.some((x) => !("bytes" in x)));
  if (fromFile && !p.fh) p.fh = (await mbox.openMessage(rec.uid)).fh;
  return p;
}

/**
 * How much of the file HEADER.FIELDS needs: the top-level header block for `BODY[HEADER.FIELDS]`
 * (never the body of a large message); a nested part's header lies somewhere in the body.
 */
function headerLimit(index: MimeIndex, section: Section): number {
  return section.part.length === 0 ? index.root.headerEnd : index.root.bodyEnd;
}

async function writeOne(
  s: SessionContext, out: Batch, p: Prepared, atts: FetchAtt[], bodies: Map<FetchAtt, BodyAtt | null>, addFlags: boolean,
  addModseq: boolean,
): Promise<void> {
  const view = s.view!;
  let text = `* ${p.seq} FETCH (`;
  let first = true;
  const sep = () => { if (!first) text += " "; first = false; };
  for (const att of atts) {
    sep();
    const b = bodies.get(att);
    if (b) {
      const sec = p.sections.get(b) ?? null;
      if (sec === null) { text += `${b.label} NIL`; continue; }
      const { size, plan } = partialPieces(sec, b.partial);
      text += `${b.label} {${size}}\r\n`;
      out.addText(text);
      text = "";
      let sent = 0;
      try {
        for (const piece of plan) {
          if ("bytes" in piece.piece) {
            const bytes = piece.piece.bytes.subarray(piece.skip, piece.skip + piece.take);
            out.addBytes(bytes);
            sent += bytes.length;
          } else {
            await out.flush();
            const { start, end } = piece.piece;
            sent += await streamRange(s, p.fh!, start, end, new CrlfConverter(piece.skip, piece.take));
          }
        }
      } catch (e) {
        throw new BrokenResponse(`reading UID ${p.rec.uid} failed after ${sent} of ${size} bytes: ${(e as Error).message}`);
      }
      // the file changed under us (it should not: IMAP messages are immutable)
      if (sent !== size) throw new BrokenResponse(`UID ${p.rec.uid}: sent ${sent} bytes of a ${size}-byte literal`);
      continue;
    }
    if (att.kind === "BINARY[]") {
      const label = `BINARY[${att.part.join(".")}]` + (att.partial ? `<${att.partial.offset}>` : "");
      const whole = p.binaries.get(att) ?? null;
      if (whole === null) { text += `${label} NIL`; continue; }
      const bytes = att.partial
        ? whole.subarray(att.partial.offset, att.partial.offset + att.partial.length)
        : whole;
      // RFC 3516 §4.2: a literal8 when the data holds NUL, else an ordinary literal
      text += `${label} ${bytes.includes(0) ? "~" : ""}{${bytes.length}}\r\n`;
      out.addText(text);
      out.addBytes(bytes);
      text = "";
      continue;
    }
    switch (att.kind) {
      case "BINARY.SIZE": {
        const whole = p.binaries.get(att) ?? null;
        text += `BINARY.SIZE[${att.part.join(".")}] ${whole === null ? "NIL" : whole.length}`;
        break;
      }
      case "ENVELOPE":
        text += "ENVELOPE " + messageCache.rendered(view.mailbox, p.rec.uid, "ENVELOPE",
          () => data(envelope(p.index!)).toString("latin1"));
        break;
      case "BODYSTRUCTURE":
        text += "BODYSTRUCTURE " + messageCache.rendered(view.mailbox, p.rec.uid, "BODYSTRUCTURE",
          () => data(bodyStructure(p.index!, true)).toString("latin1"));
        break;
      case "BODY":
        text += "BODY " + messageCache.rendered(view.mailbox, p.rec.uid, "BODY",
          () => data(bodyStructure(p.index!, false)).toString("latin1"));
        break;
      default: text += simpleItem(view.record(p.rec.uid) ?? p.rec, view, att);
    }
  }
  out.addText(text + trailer(view.record(p.rec.uid) ?? p.rec, view, first, addFlags, addModseq));
}

/** An item that needs only the store's record (UID, FLAGS, MODSEQ, sizes, dates); `rec` is current. */
function simpleItem(rec: MessageRecord, view: MailboxView, att: FetchAtt): string {
  switch (att.kind) {
    case "MODSEQ": return `MODSEQ (${rec.modseq})`;
    case "UID": return `UID ${rec.uid}`;
    case "FLAGS": return `FLAGS ${view.flagsText(rec)}`;
    case "INTERNALDATE": return `INTERNALDATE ${internalDate(rec.internalDate)}`;
    case "RFC822.SIZE": return `RFC822.SIZE ${rec.size}`;
    default: return `${att.kind} NIL`;
  }
}

/** The implied FLAGS / MODSEQ items and the closing parenthesis; `rec` is current. */
function trailer(rec: MessageRecord, view: MailboxView, empty: boolean, addFlags: boolean, addModseq: boolean): string {
  let text = "";
  if (addFlags) {
    text += (empty ? "" : " ") + `FLAGS ${view.flagsText(rec)}`;
    empty = false;
  }
  if (addModseq) text += (empty ? "" : " ") + `MODSEQ (${rec.modseq})`;
  return text + ")\r\n";
}

/**
 * The whole response of a message when no item needs the file or its index (UID FETCH 1:*
 * (UID FLAGS) of 100k messages): built synchronously, no per-message promises. `rec` was just
 * looked up, so it is current.
 */
function simpleResponse(
  view: MailboxView, rec: MessageRecord, seq: number, atts: FetchAtt[], addFlags: boolean, addModseq: boolean,
): string {
  let text = `* ${seq} FETCH (`;
  for (let i = 0; i < atts.length; i++) text += (i ? " " : "") + simpleItem(rec, view, atts[i]);
  return text + trailer(rec, view, atts.length === 0, addFlags, addModseq);
}
