// Parsed MIME indexes and top-level header bytes of recently used messages, in memory, shared by
// every session of the user process. The store keeps the index as JSON in SQLite; fetching it
// back costs a lookup and a JSON.parse per message on every FETCH/SEARCH (11 % of a FETCH
// profile), and header keys re-read files. A message under one UID never changes (RFC 3501
// §2.3.1.1; the store gives a replaced file a new UID), so entries need no invalidation: they
// are keyed by mailbox object, UIDVALIDITY and UID, and the least recently used leave first.
import { closeSync, openSync, readSync } from "node:fs";
import type { MimeIndex, MimePart } from "../message/types.js";
import type { Mailbox } from "../store/types.js";

/** FETCH items rendered from the index alone, kept as the wire text (latin1) */
export type RenderedItem = "ENVELOPE" | "BODYSTRUCTURE" | "BODY";

interface Entry {
  index?: MimeIndex;
  head?: Buffer;
  rendered?: Partial<Record<RenderedItem, string>>;
  /** other values derived from the message once (HEADER.FIELDS bytes per field list, SEARCH's
   *  decoded field values per name), keyed by what made them */
  derived?: Map<string, unknown>;
  /** estimated memory held (index objects + header bytes) */
  bytes: number;
}

/** Rough JS heap cost of a parsed index: a fixed part plus one per MIME part. */
function indexCost(idx: MimeIndex): number {
  let parts = 0;
  const walk = (p: MimePart): void => {
    parts++;
    if (p.parts) for (const c of p.parts) walk(c);
    if (p.message) walk(p.message);
  };
  walk(idx.root);
  return 1500 + parts * 700;
}

export class MessageCache {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;
  /** a reused read buffer for header blocks (grown when a header is larger) */
  private scratch = Buffer.allocUnsafe(16 * 1024);

  constructor(readonly maxBytes: number) {}

  get size(): number {
    return this.entries.size;
  }

  get heldBytes(): number {
    return this.bytes;
  }

  /** the store keeps one object per folder while it exists; a folder deleted and made anew
   *  (or renamed into place) is a new object, so the same name and UIDVALIDITY cannot meet */
  private readonly ids = new WeakMap<Mailbox, number>();
  private nextId = 1;

  private key(mbox: Mailbox, uid: number): string {
    let id = this.ids.get(mbox);
    if (id === undefined) this.ids.set(mbox, (id = this.nextId++));
    return `${id}\0${mbox.uidValidity}\0${uid}`;
  }

  /** Drops every entry: a process with no connections left lingers, and needs none of it. */
  clear(): void {
    this.entries.clear();
    this.lastEntry = undefined;
    this.bytes = 0;
    this.scratch = Buffer.allocUnsafe(16 * 1024);
  }

  /** the entry touched last: FETCH/SEARCH ask for several things of one message in a row, and
   *  moving it to the end again each time (a Map delete and set) was 4% of a FETCH profile */
  private lastKey = "";
  private lastEntry: Entry | undefined;

  /** The entry, moved to the most recently used end. */
  private touch(key: string): Entry | undefined {
    if (key === this.lastKey && this.lastEntry) return this.lastEntry;
    const e = this.entries.get(key);
    this.lastKey = key;
    this.lastEntry = e;
    if (e) {
      this.entries.delete(key);
      this.entries.set(key, e);
    }
    return e;
  }

  private add(key: string, fill: (e: Entry) => number): void {
    let e = this.entries.get(key);
    if (!e) {
      e = { bytes: 0 };
      this.entries.set(key, e);
    }
    this.lastKey = key;
    this.lastEntry = e;
    const more = fill(e);
    e.bytes += more;
    this.bytes += more;
    for (const [k, old] of this.entries) {
      if (this.bytes <= this.maxBytes || k === key) break;
      this.entries.delete(k);
      this.bytes -= old.bytes;
    }
  }

  /** The index when it is cached (no promise: the warm FETCH path stays synchronous). */
  cachedIndex(mbox: Mailbox, uid: number): MimeIndex | undefined {
    return this.touch(this.key(mbox, uid))?.index;
  }

  /**
   * A value made from the message once and kept with it: `what` names the kind and its
   * arguments (e.g. a HEADER.FIELDS list), `size` is its memory cost in bytes.
   */
  derived<T>(mbox: Mailbox, uid: number, what: string, make: () => T, size: (v: T) => number): T {
    const key = this.key(mbox, uid);
    const hit = this.touch(key)?.derived?.get(what);
    if (hit !== undefined) return hit as T;
    const v = make();
    this.add(key, (e) => {
      if (e.derived?.has(what)) return 0;
      (e.derived ??= new Map()).set(what, v);
      return size(v) + what.length + 50;
    });
    return v;
  }

  /** The message's MIME index (the store's, parsed once). */
  async index(mbox: Mailbox, uid: number): Promise<MimeIndex> {
    const key = this.key(mbox, uid);
    const hit = this.touch(key)?.index;
    if (hit) return hit;
    const idx = await mbox.index(uid);
    this.add(key, (e) => {
      if (e.index) return 0;
      e.index = idx;
      return indexCost(idx);
    });
    return idx;
  }

  /**
   * ENVELOPE / BODYSTRUCTURE / BODY as sent, made once per message: a client re-reading a
   * folder's list (or ten sessions doing so) would otherwise rebuild and re-encode them each time.
   */
  rendered(mbox: Mailbox, uid: number, item: RenderedItem, make: () => string): string {
    const key = this.key(mbox, uid);
    const hit = this.touch(key)?.rendered?.[item];
    if (hit !== undefined) return hit;
    const text = make();
    this.add(key, (e) => {
      if (e.rendered?.[item] !== undefined) return 0;
      (e.rendered ??= {})[item] = text;
      return text.length + 50;
    });
    return text;
  }

  /**
   * The file's bytes [0, root.headerEnd): the top-level header block, read with one small
   * synchronous read (a header is a few KB and usually in the page cache; a thread-pool round
   * trip per message cost more than the read). Throws ENOENT when the file is gone.
   */
  head(mbox: Mailbox, uid: number, index: MimeIndex): Buffer {
    const key = this.key(mbox, uid);
    const hit = this.touch(key)?.head;
    if (hit) return hit;
    const end = index.root.headerEnd;
    if (this.scratch.length < end) this.scratch = Buffer.allocUnsafe(Math.max(end, this.scratch.length * 2));
    const fd = openSync(mbox.messagePath(uid), "r");
    let at = 0;
    try {
      while (at < end) {
        const n = readSync(fd, this.scratch, at, end - at, at);
        if (n === 0) break;
        at += n;
      }
    } finally {
      closeSync(fd);
    }
    const head = Buffer.from(this.scratch.subarray(0, at));
    // a short read means the file changed under us: do not remember it
    if (at === end) this.add(key, (e) => {
      if (e.head) return 0;
      e.head = head;
      return head.length + 100;
    });
    return head;
  }
}

/** One per user process (all sessions of the user share it): 48 MB holds ~10k simple messages. */
export const messageCache = new MessageCache(cacheBytes(process.env.ASIMAP_MESSAGE_CACHE_BYTES));

function cacheBytes(env: string | undefined): number {
  const n = Number(env);
  return env !== undefined && env !== "" && Number.isFinite(n) && n >= 0 ? n : 48 * 1024 * 1024;
}
