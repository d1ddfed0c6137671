// A session's picture of its selected mailbox: which UIDs the client knows (sequence number =
// index + 1), which flag changes it has been told about, and what is still to be told. The store
// emits changes made by anyone (other sessions, nmh); the view turns them into EXISTS, RECENT,
// FETCH FLAGS and EXPUNGE only when RFC 3501 §7.4.1 allows, so sequence numbers never become
// ambiguous. MODSEQ/VANISHED (CONDSTORE/QRESYNC) fit here: `reported` keeps the modseq each
// message was last described at (where it differs from the SELECT snapshot).
import type { Mailbox, MailboxEvent, MessageRecord } from "../store/contract.js";
import { findUid } from "../store/record.js";
import type { SequenceSet } from "../protocol/ast.js";
import type { RecentClaims } from "./recent.js";
import { flagList } from "../protocol/encode.js";
import {
  codes, existsResponse, expungeResponse, fetchItemsResponse, flagsFetchItems, flagsResponse, recentResponse,
  untaggedStatus, vanishedResponse,
} from "../protocol/responses.js";

export class BadSequence extends Error {}

/** What one `flush` told the client of, for what follows the view's own updates (the UPDATE
 *  contexts of RFC 5267). */
export interface ViewChanges {
  /** announced as expunged, with the sequence number each had until then */
  expunged: Array<{ uid: number; seq: number }>;
  /** announced as new (EXISTS) */
  added: number[];
  /** whose flags changed (told in a FETCH now or already by the command that changed them) */
  touched: number[];
}

export const SYSTEM_FLAGS = ["\\Answered", "\\Flagged", "\\Deleted", "\\Seen", "\\Draft"];

/**
 * Facts about one store snapshot (the array `messages()` returns, replaced on every change),
 * worked out once and shared by every session that selects the folder while it is current: a
 * warm SELECT of 100k messages in a long-lived user process is then O(1) in JS work, not a
 * fresh 100k-entry array and Map per connection. Never mutated once made.
 */
interface SnapshotFacts {
  uids?: number[];
  keywords?: string[];
  /** sequence number of the first message without \Seen, 0 if none */
  firstUnseen?: number;
}
/** flag list (interned by the store) → its wire text */
const flagTexts = new WeakMap<readonly string[], string>();

const snapshotFacts = new WeakMap<readonly MessageRecord[], SnapshotFacts>();

function factsOf(msgs: readonly MessageRecord[]): SnapshotFacts {
  let f = snapshotFacts.get(msgs);
  if (!f) snapshotFacts.set(msgs, (f = {}));
  return f;
}

function uidsOf(msgs: readonly MessageRecord[]): number[] {
  const f = factsOf(msgs);
  if (!f.uids) {
    const uids = new Array<number>(msgs.length);
    for (let i = 0; i < msgs.length; i++) uids[i] = msgs[i].uid;
    f.uids = uids;
  }
  return f.uids;
}

function keywordsOf(msgs: readonly MessageRecord[]): string[] {
  const f = factsOf(msgs);
  if (!f.keywords) {
    // the store interns flag lists: most records share a handful of arrays, each looked at once
    const seen = new Set<readonly string[]>();
    const kw = new Set<string>();
    for (const m of msgs) {
      if (seen.has(m.flags)) continue;
      seen.add(m.flags);
      for (const fl of m.flags) if (!fl.startsWith("\\")) kw.add(fl);
    }
    f.keywords = [...kw];
  }
  return f.keywords;
}

function firstUnseenOf(msgs: readonly MessageRecord[]): number {
  const f = factsOf(msgs);
  if (f.firstUnseen === undefined) {
    const seen = new Map<readonly string[], boolean>();
    f.firstUnseen = 0;
    for (let i = 0; i < msgs.length; i++) {
      const fl = msgs[i].flags;
      let has = seen.get(fl);
      if (has === undefined) seen.set(fl, (has = fl.includes("\\Seen")));
      if (!has) { f.firstUnseen = i + 1; break; }
    }
  }
  return f.firstUnseen;
}

/** Index of the first element of the ascending `uids` >= `v` (length if none). */
export function firstAtLeast(uids: readonly number[], v: number): number {
  let lo = 0, hi = uids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (uids[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** How many records of a UID-ordered array have a UID <= `uid`. */
function countUpTo(msgs: readonly MessageRecord[], uid: number): number {
  let lo = 0, hi = msgs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (msgs[mid].uid <= uid) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * One "change" listener per mailbox, however many sessions have it selected: 200 IDLE sessions
 * on one folder would otherwise be 200 listeners (and Node's leak warning past 10). The listener
 * is removed with the last view, so the store stops watching a folder nobody has selected.
 */
const fanouts = new WeakMap<Mailbox, { views: Set<MailboxView>; listener: (ev: MailboxEvent) => void }>();

function subscribe(mailbox: Mailbox, view: MailboxView): void {
  let f = fanouts.get(mailbox);
  if (!f) {
    const views = new Set<MailboxView>();
    f = { views, listener: (ev) => { for (const v of views) v.receive(ev); } };
    fanouts.set(mailbox, f);
  }
  f.views.add(view);
  if (f.views.size === 1) mailbox.on("change", f.listener);
}

function unsubscribe(mailbox: Mailbox, view: MailboxView): void {
  const f = fanouts.get(mailbox);
  if (!f || !f.views.delete(view)) return;
  if (f.views.size === 0) mailbox.off("change", f.listener);
}

export class MailboxView {
  /**
   * seq - 1 → UID, exactly as the client knows them. At SELECT this is the array shared by all
   * views of the same store snapshot; the first change the client is told of (EXISTS, EXPUNGE)
   * copies it (`ownsUids`), so one session's view never moves another's sequence numbers.
   */
  private uids: number[];
  private ownsUids = false;
  /** the store's records at SELECT: the state the client was given (MODSEQ baseline) */
  private readonly selected: readonly MessageRecord[];
  /** UID → MODSEQ the client was last told about, where it differs from `selected` */
  private reported = new Map<number, number>();
  private recent = new Set<number>();
  private pendingFlags = new Set<number>();
  /** highest UID the client has been told about (survives expunges) */
  private lastUid = 0;
  /** the mailbox was deleted or renamed away */
  gone = false;
  /** keywords the client was told about in FLAGS */
  private keywords: Set<string>;
  /** called on every store event (IDLE pushes updates at once) */
  onEvent: (() => void) | null = null;
  /** CONDSTORE is on for the session: FETCH responses carry MODSEQ (RFC 7162 §3.1) */
  modseqs = false;
  /** QRESYNC is on: VANISHED instead of EXPUNGE, and UID in every unsolicited FETCH */
  vanished = false;
  /** IMAP4rev2 (RFC 9051): no \\Recent and no RECENT counts; every flag update names its UID */
  rev2 = false;
  /** NOTIFY asked for FlagChange (RFC 5465 §5.1): every flag update names its UID */
  flagUids = false;

  constructor(
    readonly mailbox: Mailbox,
    readonly readOnly: boolean,
    private readonly claims: RecentClaims,
  ) {
    const msgs = mailbox.messages();
    this.selected = msgs;
    this.uids = uidsOf(msgs);
    this.lastUid = msgs.length ? msgs[msgs.length - 1].uid : 0;
    this.keywords = new Set(keywordsOf(msgs));
    const recent = claims.claim(mailbox.name, this.uids, mailbox.newFrom, !readOnly);
    for (const u of recent) this.recent.add(u);
    subscribe(mailbox, this);
  }

  /** A change to the mailbox, by anyone (this session, another, nmh). */
  receive(ev: MailboxEvent): void {
    if (ev.kind === "flags") for (const u of ev.uids) this.pendingFlags.add(u);
    if (ev.kind === "gone") this.gone = true;
    this.onEvent?.();
  }

  /** Sequence number of the first message without \Seen at SELECT (UNSEEN), 0 if none. */
  firstUnseen(): number {
    if (!this.ownsUids && this.uids === uidsOf(this.selected)) return firstUnseenOf(this.selected);
    const i = this.uids.findIndex((u) => !this.mailbox.get(u)?.flags.includes("\\Seen"));
    return i + 1;
  }

  /** The MODSEQ of the message's state the client was last told about (-1: never). */
  private reportedModseq(uid: number): number {
    const r = this.reported.get(uid);
    if (r !== undefined) return r;
    const i = findUid(this.selected, uid);
    return i < 0 ? -1 : this.selected[i].modseq;
  }

  /** The UID array, now this view's own (copied from the shared one on first change). */
  private ownUids(): number[] {
    if (!this.ownsUids) {
      this.uids = this.uids.slice();
      this.ownsUids = true;
    }
    return this.uids;
  }

  /** `* FLAGS` and `* OK [PERMANENTFLAGS]`: at SELECT, and again when a new keyword appears. */
  flagsLines(): string[] {
    const flags = [...SYSTEM_FLAGS, ...this.keywords];
    return [
      flagsResponse(flags),
      this.readOnly
        ? untaggedStatus("OK", "Read-only mailbox.", codes.permanentFlags([]))
        : untaggedStatus("OK", "Flags permitted.", codes.permanentFlags([...flags, "\\*"])),
    ];
  }

  /** Notes keywords of records about to be shown; true if one is new to the client. */
  private learnKeywords(rec: MessageRecord): boolean {
    let fresh = false;
    for (const f of rec.flags) {
      if (!f.startsWith("\\") && !this.keywords.has(f)) {
        this.keywords.add(f);
        fresh = true;
      }
    }
    return fresh;
  }

  close(): void {
    unsubscribe(this.mailbox, this);
  }

  get exists(): number {
    return this.uids.length;
  }
  get recentCount(): number {
    return this.recent.size;
  }
  uidAt(seq: number): number {
    return this.uids[seq - 1];
  }
  allUids(): readonly number[] {
    return this.uids;
  }
  /** sequence number of a UID the client knows, or 0 */
  seqOf(uid: number): number {
    let lo = 0;
    let hi = this.uids.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const v = this.uids[mid];
      if (v === uid) return mid + 1;
      if (v < uid) lo = mid + 1;
      else hi = mid - 1;
    }
    return 0;
  }
  isRecent(uid: number): boolean {
    return this.recent.has(uid);
  }
  /** The store's record, or undefined when the message was expunged behind the client's back. */
  record(uid: number): MessageRecord | undefined {
    return this.mailbox.get(uid);
  }
  /**
   * The FLAGS list as sent, `(\\Seen work)`. The store interns flag lists (one array per distinct
   * set, never mutated), so the text is made once per set, not once per message of a 100k FETCH.
   */
  flagsText(rec: MessageRecord): string {
    if (!this.rev2 && this.recent.has(rec.uid)) return flagList([...rec.flags, "\\Recent"]);
    let t = flagTexts.get(rec.flags);
    if (t === undefined) flagTexts.set(rec.flags, (t = flagList(rec.flags)));
    return t;
  }

  /** The client has now seen this state of the message (its own STORE/FETCH reported it). */
  markReported(rec: MessageRecord): void {
    this.reported.set(rec.uid, rec.modseq);
  }

  /** Before the session shows these records itself (STORE, FETCH): FLAGS lines if a keyword is new. */
  announceKeywords(recs: readonly MessageRecord[]): string[] {
    let fresh = false;
    for (const r of recs) if (this.learnKeywords(r)) fresh = true;
    return fresh ? this.flagsLines() : [];
  }

  /** Sequence set → UIDs in sequence order. Numbers beyond the mailbox are a client error. */
  resolveSeq(set: SequenceSet, lenient = false): number[] {
    if (set.kind !== "set") throw new BadSequence("no saved search result ($) in this session");
    const n = this.uids.length;
    const spans: Array<[number, number]> = [];
    for (const r of set.ranges) {
      let a = r.start === "*" ? n : r.start;
      let b = r.end === "*" ? n : r.end;
      if (a > b) [a, b] = [b, a];
      if (!lenient && (n === 0 || b > n)) throw new BadSequence("Invalid messageset");
      // as indexes [from, to)
      const from = Math.max(a, 1) - 1;
      const to = Math.min(b, n);
      if (from < to) spans.push([from, to]);
    }
    return this.pick(spans);
  }

  /** UID set → the known UIDs it names, ascending. `*` is the highest UID in the view. */
  resolveUid(set: SequenceSet): number[] {
    if (set.kind !== "set") throw new BadSequence("no saved search result ($) in this session");
    const uids = this.uids;
    const max = uids.length ? uids[uids.length - 1] : 0;
    const spans: Array<[number, number]> = [];
    for (const r of set.ranges) {
      let a = r.start === "*" ? max : r.start;
      let b = r.end === "*" ? max : r.end;
      if (a > b) [a, b] = [b, a];
      // the view's UIDs ascend: each range is a slice found by two binary searches
      const from = firstAtLeast(uids, a);
      const to = firstAtLeast(uids, b + 1);
      if (from < to) spans.push([from, to]);
    }
    return this.pick(spans);
  }

  /** The UIDs at the union of index spans [from, to), ascending, each once. */
  private pick(spans: Array<[number, number]>): number[] {
    if (spans.length === 1) return this.uids.slice(spans[0][0], spans[0][1]);
    spans.sort((x, y) => x[0] - y[0]);
    const out: number[] = [];
    let end = 0;
    for (const [from, to] of spans) {
      for (let i = Math.max(from, end); i < to; i++) out.push(this.uids[i]);
      if (to > end) end = to;
    }
    return out;
  }

  /**
   * Untagged updates to send now. `expunge` = EXPUNGE responses are allowed at this point
   * (not during FETCH, STORE, SEARCH: RFC 3501 §7.4.1); `flags` = flag changes too (NOTIFY's
   * SELECTED without FlagChange keeps them for the next command). Returns the lines without CRLF.
   */
  flush(expunge: boolean, changes?: ViewChanges, flags = true): string[] {
    const out: string[] = [];
    let msgs = this.mailbox.messages();
    if (expunge && this.expungedCount(msgs) > 0) {
      const kept: number[] = [];
      const goneAt: number[] = [];
      // both ascend by UID: one merge walk finds the known UIDs no longer in the store
      let j = 0;
      for (let i = 0; i < this.uids.length; i++) {
        const uid = this.uids[i];
        while (j < msgs.length && msgs[j].uid < uid) j++;
        if (j < msgs.length && msgs[j].uid === uid) kept.push(uid);
        else goneAt.push(i);
      }
      const gone: number[] = [];
      // from the highest sequence number down, so each number is valid when it is sent
      for (let k = goneAt.length - 1; k >= 0; k--) {
        const i = goneAt[k];
        const uid = this.uids[i];
        if (!this.vanished) out.push(expungeResponse(i + 1));
        changes?.expunged.push({ uid, seq: i + 1 });
        gone.unshift(uid);
        this.reported.delete(uid);
        this.recent.delete(uid);
        this.pendingFlags.delete(uid);
      }
      this.uids = kept;
      this.ownsUids = true;
      // RFC 7162 §3.2.10: one VANISHED with the UIDs replaces the EXPUNGE responses
      if (this.vanished && gone.length) out.push(vanishedResponse(gone));
      msgs = this.mailbox.messages();
    }
    let freshKeywords = false;
    const updates: string[] = [];
    const added: number[] = [];
    // messages() is in UID order: the new ones are at the end
    for (let i = msgs.length - 1; i >= 0 && msgs[i].uid > this.lastUid; i--) added.unshift(msgs[i].uid);
    if (added.length) {
      const uids = this.ownUids();
      for (const u of added) {
        uids.push(u);
        const rec = this.mailbox.get(u)!;
        this.reported.set(u, rec.modseq);
        if (this.learnKeywords(rec)) freshKeywords = true;
        this.pendingFlags.delete(u);
      }
      this.lastUid = added[added.length - 1];
      if (changes) for (const u of added) changes.added.push(u);
      const mailbox = this.mailbox;
      for (const u of this.claims.claim(mailbox.name, added, mailbox.newFrom, !this.readOnly)) {
        this.recent.add(u);
      }
      updates.push(existsResponse(this.uids.length));
      if (!this.rev2) updates.push(recentResponse(this.recent.size));
    }
    if (flags && this.pendingFlags.size) {
      const uids = [...this.pendingFlags].sort((a, b) => a - b);
      this.pendingFlags.clear();
      if (changes) for (const u of uids) changes.touched.push(u);
      for (const uid of uids) {
        const seq = this.seqOf(uid);
        const rec = this.mailbox.get(uid);
        if (!seq || !rec) continue;
        if (this.reportedModseq(uid) >= rec.modseq) continue;
        this.reported.set(uid, rec.modseq);
        if (this.learnKeywords(rec)) freshKeywords = true;
        updates.push(fetchItemsResponse(seq, this.fetchFlags(rec)));
      }
    }
    if (freshKeywords) out.push(...this.flagsLines());
    return [...out, ...updates];
  }

  /**
   * How many messages the client knows are gone from the store. Every store UID up to
   * `lastUid` is one the client knows (UIDs only grow), so counting them is a binary search,
   * not a lookup per known message on every command.
   */
  private expungedCount(msgs: readonly MessageRecord[]): number {
    return this.uids.length - countUpTo(msgs, this.lastUid);
  }

  /** Messages the client knows that are marked \Deleted, ascending (EXPUNGE, CLOSE). */
  deletedUids(): number[] {
    const msgs = this.mailbox.messages();
    const out: number[] = [];
    for (let i = 0, n = countUpTo(msgs, this.lastUid); i < n; i++) {
      if (msgs[i].flags.includes("\\Deleted")) out.push(msgs[i].uid);
    }
    return out;
  }

  /**
   * The items of a FETCH response telling a message's flags: `[UID n ]FLAGS (...)[ MODSEQ (m)]`,
   * UID under QRESYNC (or when the command was a UID command), MODSEQ under CONDSTORE.
   */
  fetchFlags(rec: MessageRecord, withUid = false): string {
    return flagsFetchItems(this.flagsText(rec), withUid || this.vanished || this.rev2 || this.flagUids ? rec.uid : undefined,
      this.modseqs ? rec.modseq : undefined);
  }

  /** true when some message the client knows has been expunged and not yet announced */
  hasPendingExpunge(): boolean {
    return this.expungedCount(this.mailbox.messages()) > 0;
  }
}
