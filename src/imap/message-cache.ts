// The one cache of parsed messages: where FETCH, SEARCH and SORT find a message's MIME index, its
// top-level header bytes and what was made from them once (ENVELOPE and BODYSTRUCTURE as sent,
// HEADER.FIELDS literals, SEARCH's decoded values), in memory, shared by every session (and
// every user) of the user process. It lives in the engine, not the store, because most of what
// it keeps is the engine's (wire text). Its persistence is the store's: the index as a row in
// SQLite (store/index-rows.ts, loaded through Mailbox.index); fetching that back costs a lookup
// and a JSON.parse per message on every FETCH/SEARCH (11 % of a FETCH profile), and header keys
// re-read files. A message under one UID never changes (RFC 3501 §2.3.1.1; the store gives a
// replaced file a new UID), so entries need no invalidation: they are keyed by mailbox object,
// UIDVALIDITY and UID, and the least recently used leave first.
import type { MimeIndex, MimePart } from "../message/model.js";
import type { Mailbox } from "../store/contract.js";

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
  /** where it lives (its folder's map, under its UID) and its place in the recency list */
  home: Map<number, Entry>;
  uid: number;
  older: Entry | null;
  newer: Entry | null;
}

/** A folder's entries by UID, for the UIDVALIDITY they were made under. */
interface Folder {
  uidValidity: number;
  byUid: Map<number, Entry>;
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
  /** the store keeps one object per folder while it exists; a folder deleted and made anew
   *  (or renamed into place) is a new object, so the same name and UIDVALIDITY cannot meet.
   *  Entries are found by folder then UID (number keys: building and hashing a string key per
   *  lookup, and a Map delete+set per recency move, were 7% of a warm FETCH profile) and kept
   *  in a doubly linked recency list, oldest first. */
  private folders = new WeakMap<Mailbox, Folder>();
  private oldest: Entry | null = null;
  private newest: Entry | null = null;
  private count = 0;
  private bytes = 0;
  private limitBytes: number | undefined;

  /** `limit` may be a function, called at first use (see messageCache below) */
  constructor(private readonly limit: number | (() => number)) {}

  get maxBytes(): number {
    return (this.limitBytes ??= typeof this.limit === "function" ? this.limit() : this.limit);
  }

  get size(): number {
    return this.count;
  }

  get heldBytes(): number {
    return this.bytes;
  }

  /** Drops every entry: a process with no connections left lingers, and needs none of it. */
  clear(): void {
    for (let e = this.oldest; e; e = e.newer) e.home.delete(e.uid);
    this.folders = new WeakMap();
    this.oldest = this.newest = null;
    this.count = 0;
    this.bytes = 0;
  }

  private folder(mbox: Mailbox): Folder {
    let f = this.folders.get(mbox);
    if (f && f.uidValidity !== mbox.uidValidity) {
      // a new UIDVALIDITY: the old UIDs name other messages now
      for (const e of f.byUid.values()) this.remove(e);
      f = undefined;
    }
    if (!f) this.folders.set(mbox, (f = { uidValidity: mbox.uidValidity, byUid: new Map() }));
    return f;
  }

  private unlink(e: Entry): void {
    if (e.older) e.older.newer = e.newer;
    else this.oldest = e.newer;
    if (e.newer) e.newer.older = e.older;
    else this.newest = e.older;
    e.older = e.newer = null;
  }

  private append(e: Entry): void {
    e.older = this.newest;
    e.newer = null;
    if (this.newest) this.newest.newer = e;
    else this.oldest = e;
    this.newest = e;
  }

  private remove(e: Entry): void {
    this.unlink(e);
    e.home.delete(e.uid);
    this.count--;
    this.bytes -= e.bytes;
  }

  /** The entry, moved to the most recently used end. */
  private touch(mbox: Mailbox, uid: number): Entry | undefined {
    const e = this.folder(mbox).byUid.get(uid);
    if (e && e !== this.newest) {
      this.unlink(e);
      this.append(e);
    }
    return e;
  }

  private add(mbox: Mailbox, uid: number, fill: (e: Entry) => number): void {
    const home = this.folder(mbox).byUid;
    let e = home.get(uid);
    if (!e) {
      e = { bytes: 0, home, uid, older: null, newer: null };
      home.set(uid, e);
      this.count++;
      this.append(e);
    } else if (e !== this.newest) {
      this.unlink(e);
      this.append(e);
    }
    const more = fill(e);
    e.bytes += more;
    this.bytes += more;
    // the entry just filled is the newest: it stays even when over-large alone
    while (this.bytes > this.maxBytes && this.oldest && this.oldest !== e) this.remove(this.oldest);
  }

  /** The index when it is cached (no promise: the warm FETCH path stays synchronous). */
  cachedIndex(mbox: Mailbox, uid: number): MimeIndex | undefined {
    return this.touch(mbox, uid)?.index;
  }

  /**
   * A value made from the message once and kept with it: `what` names the kind and its
   * arguments (e.g. a HEADER.FIELDS list), `size` is its memory cost in bytes.
   */
  derived<T>(mbox: Mailbox, uid: number, what: string, make: () => T, size: (v: T) => number): T {
    const hit = this.touch(mbox, uid)?.derived?.get(what);
    if (hit !== undefined) return hit as T;
    const v = make();
    this.add(mbox, uid, (e) => {
      if (e.derived?.has(what)) return 0;
      (e.derived ??= new Map()).set(what, v);
      return size(v) + what.length + 50;
    });
    return v;
  }

  /**
   * A value made from the top-level header block once and kept with the message, like
   * derived(); on a miss the index and the header block are used (from the entry, else loaded)
   * but not kept for it. Why: SEARCH SUBJECT/FROM/... of a big folder then keeps ~200 bytes a
   * message instead of ~4 KB (index and header), so 12,000 of them fit beside the rest, where
   * they pushed each other out (and a common-word SEARCH before them pushed them all out).
   */
  async derivedFromHead<T>(mbox: Mailbox, uid: number, what: string, make: (head: Buffer, index: MimeIndex) => T,
    size: (v: T) => number): Promise<T> {
    const e = this.touch(mbox, uid);
    const hit = e?.derived?.get(what);
    if (hit !== undefined) return hit as T;
    const index = e?.index ?? (await mbox.index(uid));
    const end = index.root.headerEnd;
    const head = e?.head ?? mbox.readMessageRange(uid, 0, end);
    const v = make(head, index);
    // a short read means the file changed under us: do not remember what was made from it
    if (head.length === end) this.add(mbox, uid, (x) => {
      if (x.derived?.has(what)) return 0;
      (x.derived ??= new Map()).set(what, v);
      return size(v) + what.length + 50;
    });
    return v;
  }

  /** The message's MIME index (the store's persisted one, loaded once). */
  async index(mbox: Mailbox, uid: number): Promise<MimeIndex> {
    const hit = this.touch(mbox, uid)?.index;
    if (hit) return hit;
    const idx = await mbox.index(uid);
    this.add(mbox, uid, (e) => {
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
    const hit = this.touch(mbox, uid)?.rendered?.[item];
    if (hit !== undefined) return hit;
    const text = make();
    this.add(mbox, uid, (e) => {
      if (e.rendered?.[item] !== undefined) return 0;
      (e.rendered ??= {})[item] = text;
      return text.length + 50;
    });
    return text;
  }

  /**
   * The file's bytes [0, root.headerEnd): the top-level header block, read with one small
   * synchronous read (see readMessageRange). Throws ENOENT when the file is gone or no longer
   * this message.
   */
  head(mbox: Mailbox, uid: number, index: MimeIndex): Buffer {
    const hit = this.touch(mbox, uid)?.head;
    if (hit) return hit;
    const end = index.root.headerEnd;
    const head = mbox.readMessageRange(uid, 0, end);
    // a short read means the file changed under us: do not remember it
    if (head.length === end) this.add(mbox, uid, (e) => {
      if (e.head) return 0;
      e.head = head;
      return head.length + 100;
    });
    return head;
  }
}

/**
 * One per user process (all sessions of the user share it): 48 MB holds ~10k simple messages.
 * Its size is read from the environment at first use, not when the module loads: the user
 * process starts from a V8 snapshot in which module code ran at build time.
 */
export const messageCache = new MessageCache(() => cacheBytes(process.env.ASIMAP_MESSAGE_CACHE_BYTES));

function cacheBytes(env: string | undefined): number {
  const n = Number(env);
  return env !== undefined && env !== "" && Number.isFinite(n) && n >= 0 ? n : 48 * 1024 * 1024;
}
