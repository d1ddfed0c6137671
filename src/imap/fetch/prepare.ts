// What a FETCH readies for a message before its response starts (Dovecot's imap-fetch.c
// init): the MIME index, the sections resolved, parts decoded, the message's bytes opened. All
// that can fail happens here, so a message expunged meanwhile is skipped before its first byte
// is written. The next messages are prepared while one is written (a window of 8), and a warm
// message (index and header fields cached) is prepared synchronously, without promises.
import type { Section } from "../../protocol/ast.js";
import type { MimeIndex, SectionData } from "../../message/model.js";
import { binarySection, resolveSection } from "../../message/index.js";
import type { Mailbox, MessageBytes, MessageRecord } from "../../store/contract.js";
import { no, CommandFailure } from "../result.js";
import { messageCache } from "../message-cache.js";
import type { FetchItem, Prepared } from "./items.js";

export type { Prepared };


/** What a command's items need together, read from their entries' needs. */
export class FetchPlan {
  /** every item needs only the record: responses are made synchronously, nothing prepared */
  readonly recordOnly: boolean;
  /** no item needs the index: the bytes are streamed as they are, sized by the record (a client
   *  downloading mail, mbsync say, asks only this; for a 20 MB message the parse was a third of
   *  its first fetch) */
  readonly bytesOnly: boolean;
  /** how many messages are prepared ahead of the one written: BINARY decodes whole messages in
   *  preparation, one at a time, so memory stays one message deep */
  readonly window: number;
  /** some item may read files to count sizes: other sessions get turns between slices */
  readonly readsSizes: boolean;
  readonly bodies: FetchItem[];
  readonly binaries: FetchItem[];

  constructor(readonly items: readonly FetchItem[]) {
    this.recordOnly = items.every((i) => i.needs === "record");
    this.bytesOnly = items.every((i) => i.needs === "record" || i.needs === "bytes");
    this.window = items.some((i) => i.needs === "binary") ? 0 : PREPARE_AHEAD;
    this.readsSizes = items.some((i) => i.readsSizes);
    this.bodies = items.filter((i) => i.body);
    this.binaries = items.filter((i) => i.binaryPart);
  }
}

const PREPARE_AHEAD = 8;

const isFields = (sec: Section): boolean => sec.text === "HEADER.FIELDS" || sec.text === "HEADER.FIELDS.NOT";
const isTopFields = (sec: Section): boolean => sec.part.length === 0 && isFields(sec);

/** A top-level BODY[HEADER.FIELDS (...)] as sent, made once per message and field list. */
function topFields(mbox: Mailbox, uid: number, index: MimeIndex, sec: Section): SectionData | null {
  // NUL cannot be in a field name (a quoted "From To" is one name, not two)
  const what = `${sec.text}\0${(sec.fields ?? []).join("\0").toLowerCase()}`;
  return messageCache.derived(mbox, uid, what,
    () => resolveSection(index, sec, messageCache.head(mbox, uid, index)),
    (d) => (d ? d.size + 100 : 0));
}

/**
 * `prepare` for a message whose index is cached and whose body items are all top-level
 * HEADER.FIELDS (read from the cached header block): synchronous. Null when it does not apply.
 * Throws ENOENT when the header must be read and is gone.
 */
function prepareCached(mbox: Mailbox, plan: FetchPlan, rec: MessageRecord, seq: number): Prepared | null {
  const index = messageCache.cachedIndex(mbox, rec.uid);
  if (!index) return null;
  const p: Prepared = { rec, seq, index, sections: new Map(), binaries: new Map() };
  for (const item of plan.bodies) {
    const sec = item.body!.section;
    if (!isTopFields(sec)) return null;
    p.sections.set(item, topFields(mbox, rec.uid, index, sec));
  }
  return p;
}

async function prepare(mbox: Mailbox, plan: FetchPlan, rec: MessageRecord, seq: number): Promise<Prepared> {
  const p: Prepared = { rec, seq, sections: new Map(), binaries: new Map() };
  if (plan.bytesOnly) {
    p.bytes = await mbox.messageBytes(rec.uid);
    const whole: SectionData = { size: rec.size, pieces: [{ start: 0, end: p.bytes.size, size: rec.size }] };
    for (const item of plan.bodies) p.sections.set(item, whole);
    return p;
  }
  const index = (p.index = await messageCache.index(mbox, rec.uid));
  if (plan.binaries.length) {
    const whole = await mbox.readMessage(rec.uid);
    for (const item of plan.binaries) {
      const r = binarySection(index, item.binaryPart!, whole);
      if (r !== null && !Buffer.isBuffer(r)) {
        throw new CommandFailure(no(`Unknown Content-Transfer-Encoding in message UID ${rec.uid}.`, "UNKNOWN-CTE"));
      }
      p.binaries.set(item, r);
    }
  }
  const got: OpenedMessage = {};
  try {
    for (const item of plan.bodies) p.sections.set(item, await bodySection(mbox, rec.uid, index, item.body!.section, got));
    p.bytes = got.bytes;
    // the bytes are opened only when some piece must be streamed from them, and only if they
    // still are the message the index describes
    if (!p.bytes && [...p.sections.values()].some(fromFile)) p.bytes = await mbox.messageBytes(rec.uid);
  } catch (e) {
    await got.bytes?.close();
    throw e;
  }
  return p;
}

/** What the sections of one message have read of it so far: the bytes opened, the header block. */
export interface OpenedMessage {
  bytes?: MessageBytes;
  head?: Buffer;
}

/** A piece read from the message's file (its bytes must be open to send it), not bytes at hand. */
export const isFileRange = (x: SectionData["pieces"][number]): boolean => !("bytes" in x);
const fromFile = (sec: SectionData | null): boolean => sec?.pieces.some(isFileRange) ?? false;

/**
 * BODY[section] of one message as FETCH resolves it (CATENATE's URLs too); null when the
 * message has no such section. `got` keeps what was opened and read for its next section.
 */
export async function bodySection(
  mbox: Mailbox, uid: number, index: MimeIndex, sec: Section, got: OpenedMessage,
): Promise<SectionData | null> {
  if (isTopFields(sec)) return topFields(mbox, uid, index, sec);
  if (!isFields(sec)) return resolveSection(index, sec);
  // a nested part's header lies somewhere in the body (never read a large body for it)
  const limit = index.root.bodyEnd;
  if (!got.head || got.head.length < limit) got.head = await (got.bytes ??= await mbox.messageBytes(uid)).read(0, limit);
  return resolveSection(index, sec, got.head);
}

/** A message's place in the window: prepared, expunged meanwhile, or failed. */
type Ahead = { p: Prepared } | { missing: true } | { error: unknown };

/** A file gone or replaced (the store's EXPUNGEISSUED) is an expunged message. */
export const isGone = (e: unknown): boolean => ["ENOENT", "EXPUNGEISSUED"].includes((e as NodeJS.ErrnoException).code!);

/**
 * The messages of one FETCH prepared in order, up to `plan.window` ahead of the one written.
 * Each place settles to a value (never rejects), so none goes unhandled.
 */
export class Preparation {
  private ahead: Array<Promise<Ahead>> = [];

  constructor(
    private readonly mbox: Mailbox,
    private readonly plan: FetchPlan,
    /** the record and sequence number of a UID the command names, if it still exists */
    private readonly lookup: (uid: number) => { rec: MessageRecord; seq: number } | null,
  ) {}

  private start(rec: MessageRecord, seq: number): Promise<Ahead> {
    return prepare(this.mbox, this.plan, rec, seq).then(
      (p) => ({ p }),
      (e: unknown) => (isGone(e) ? { missing: true as const } : { error: e }),
    );
  }

  /** The next message is skipped (expunged before its turn): its place in the window holds nothing to write. */
  async skip(): Promise<void> {
    if (this.ahead.length === 0) return;
    const got = await this.ahead.shift()!;
    if ("p" in got) await got.p.bytes?.close();
  }

  /**
   * The message `uids[i]` prepared (synchronously when it is warm), null when it was expunged
   * meanwhile; the following messages' preparations are started.
   */
  take(uids: readonly number[], i: number, rec: MessageRecord, seq: number): Prepared | null | Promise<Prepared | null> {
    const { window } = this.plan;
    if (this.ahead.length === 0 && window > 0) {
      try {
        const cached = prepareCached(this.mbox, this.plan, rec, seq);
        if (cached) return cached;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
        return null;
      }
    }
    const next = this.ahead.shift() ?? this.start(rec, seq);
    // keep the next messages' index lookups and file opens in flight while this one is written
    for (let k = i + 1 + this.ahead.length; this.ahead.length < window && k < uids.length; k++) {
      const got = this.lookup(uids[k]);
      this.ahead.push(got ? this.start(got.rec, got.seq) : Promise.resolve({ missing: true }));
    }
    return next.then((got) => {
      if ("error" in got) throw got.error;
      return "missing" in got ? null : got.p;
    });
  }

  /** Closes what was prepared and not written (an error ended the command). */
  async close(): Promise<void> {
    for (const got of await Promise.all(this.ahead)) if ("p" in got) await got.p.bytes?.close();
    this.ahead = [];
  }
}
