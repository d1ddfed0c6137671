// A session's picture of its selected mailbox: which UIDs the client knows (sequence number =
// index + 1), which flag changes it has been told about, and what is still to be told. The store
// emits changes made by anyone (other sessions, nmh); the view turns them into EXISTS, RECENT,
// FETCH FLAGS and EXPUNGE only when RFC 3501 §7.4.1 allows, so sequence numbers never become
// ambiguous. MODSEQ/VANISHED (CONDSTORE/QRESYNC) fit here: `reported` already keeps the modseq
// each message was last described at.
import type { Mailbox, MailboxEvent, MessageRecord } from "../store/types.js";
import type { SequenceSet } from "../protocol/ast.js";
import type { RecentClaims } from "./recent.js";
import { compactSet } from "./wire.js";

export class BadSequence extends Error {}

export const SYSTEM_FLAGS = ["\\Answered", "\\Flagged", "\\Deleted", "\\Seen", "\\Draft"];

export class MailboxView {
  /** seq - 1 → UID, exactly as the client knows them */
  private uids: number[] = [];
  /** UID → MODSEQ of the state the client was last told about */
  private reported = new Map<number, number>();
  private recent = new Set<number>();
  private pendingFlags = new Set<number>();
  /** highest UID the client has been told about (survives expunges) */
  private lastUid = 0;
  /** the mailbox was deleted or renamed away */
  gone = false;
  private readonly listener: (ev: MailboxEvent) => void;
  /** keywords the client was told about in FLAGS */
  private keywords = new Set<string>();
  /** called on every store event (IDLE pushes updates at once) */
  onEvent: (() => void) | null = null;
  /** CONDSTORE is on for the session: FETCH responses carry MODSEQ (RFC 7162 §3.1) */
  modseqs = false;
  /** QRESYNC is on: VANISHED instead of EXPUNGE, and UID in every unsolicited FETCH */
  vanished = false;

  constructor(
    readonly mailbox: Mailbox,
    readonly readOnly: boolean,
    private readonly claims: RecentClaims,
  ) {
    const msgs = mailbox.messages();
    for (const m of msgs) {
      this.uids.push(m.uid);
      this.reported.set(m.uid, m.modseq);
    }
    this.lastUid = msgs.length ? msgs[msgs.length - 1].uid : 0;
    for (const m of msgs) for (const f of m.flags) if (!f.startsWith("\\")) this.keywords.add(f);
    const st = mailbox.status();
    for (const u of claims.claim(mailbox.name, this.uids, st.recent, mailbox.uidNext)) this.recent.add(u);
    this.listener = (ev) => {
      if (ev.kind === "flags") for (const u of ev.uids) this.pendingFlags.add(u);
      if (ev.kind === "gone") this.gone = true;
      this.onEvent?.();
    };
    mailbox.on("change", this.listener);
  }

  /** `* FLAGS` and `* OK [PERMANENTFLAGS]`: at SELECT, and again when a new keyword appears. */
  flagsLines(): string[] {
    const flags = [...SYSTEM_FLAGS, ...this.keywords];
    return [
      `* FLAGS (${flags.join(" ")})`,
      this.readOnly
        ? "* OK [PERMANENTFLAGS ()] Read-only mailbox."
        : `* OK [PERMANENTFLAGS (${[...flags, "\\*"].join(" ")})] Flags permitted.`,
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
    this.mailbox.off("change", this.listener);
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
  /** FLAGS as this session shows them: the store's flags plus \Recent if this session owns it. */
  flagsOf(rec: MessageRecord): string[] {
    return this.recent.has(rec.uid) ? [...rec.flags, "\\Recent"] : [...rec.flags];
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
    const picked = new Set<number>();
    for (const r of set.ranges) {
      let a = r.start === "*" ? n : r.start;
      let b = r.end === "*" ? n : r.end;
      if (a > b) [a, b] = [b, a];
      if (!lenient && (n === 0 || b > n)) throw new BadSequence("Invalid messageset");
      for (let i = Math.max(a, 1); i <= Math.min(b, n); i++) picked.add(i);
    }
    return [...picked].sort((x, y) => x - y).map((s) => this.uids[s - 1]);
  }

  /** UID set → the known UIDs it names, ascending. `*` is the highest UID in the view. */
  resolveUid(set: SequenceSet): number[] {
    if (set.kind !== "set") throw new BadSequence("no saved search result ($) in this session");
    const max = this.uids.length ? this.uids[this.uids.length - 1] : 0;
    const out: number[] = [];
    const ranges = set.ranges.map((r) => {
      const a = r.start === "*" ? max : r.start;
      const b = r.end === "*" ? max : r.end;
      return a <= b ? [a, b] : [b, a];
    });
    for (const u of this.uids) {
      if (ranges.some(([a, b]) => u >= a && u <= b)) out.push(u);
    }
    return out;
  }

  /**
   * Untagged updates to send now. `expunge` = EXPUNGE responses are allowed at this point
   * (not during FETCH, STORE, SEARCH: RFC 3501 §7.4.1). Returns the lines without CRLF.
   */
  flush(expunge: boolean): string[] {
    const out: string[] = [];
    if (expunge) {
      const gone: number[] = [];
      for (let i = this.uids.length - 1; i >= 0; i--) {
        const uid = this.uids[i];
        if (this.mailbox.get(uid) === undefined) {
          if (!this.vanished) out.push(`* ${i + 1} EXPUNGE`);
          gone.unshift(uid);
          this.uids.splice(i, 1);
          this.reported.delete(uid);
          this.recent.delete(uid);
          this.pendingFlags.delete(uid);
        }
      }
      // RFC 7162 §3.2.10: one VANISHED with the UIDs replaces the EXPUNGE responses
      if (this.vanished && gone.length) out.push(`* VANISHED ${compactSet(gone)}`);
    }
    let freshKeywords = false;
    const updates: string[] = [];
    const msgs = this.mailbox.messages();
    const added: number[] = [];
    // messages() is in UID order: the new ones are at the end
    for (let i = msgs.length - 1; i >= 0 && msgs[i].uid > this.lastUid; i--) added.unshift(msgs[i].uid);
    if (added.length) {
      for (const u of added) {
        this.uids.push(u);
        const rec = this.mailbox.get(u)!;
        this.reported.set(u, rec.modseq);
        if (this.learnKeywords(rec)) freshKeywords = true;
        this.pendingFlags.delete(u);
      }
      this.lastUid = added[added.length - 1];
      const st = this.mailbox.status();
      for (const u of this.claims.claim(this.mailbox.name, added, st.recent, this.mailbox.uidNext)) {
        this.recent.add(u);
      }
      updates.push(`* ${this.uids.length} EXISTS`, `* ${this.recent.size} RECENT`);
    }
    if (this.pendingFlags.size) {
      const uids = [...this.pendingFlags].sort((a, b) => a - b);
      this.pendingFlags.clear();
      for (const uid of uids) {
        const seq = this.seqOf(uid);
        const rec = this.mailbox.get(uid);
        if (!seq || !rec) continue;
        if ((this.reported.get(uid) ?? -1) >= rec.modseq) continue;
        this.reported.set(uid, rec.modseq);
        if (this.learnKeywords(rec)) freshKeywords = true;
        updates.push(`* ${seq} FETCH (${this.fetchFlags(rec)})`);
      }
    }
    if (freshKeywords) out.push(...this.flagsLines());
    return [...out, ...updates];
  }

  /**
   * The items of a FETCH response telling a message's flags: `[UID n ]FLAGS (...)[ MODSEQ (m)]`,
   * UID under QRESYNC (or when the command was a UID command), MODSEQ under CONDSTORE.
   */
  fetchFlags(rec: MessageRecord, withUid = false): string {
    const uid = withUid || this.vanished ? `UID ${rec.uid} ` : "";
    const modseq = this.modseqs ? ` MODSEQ (${rec.modseq})` : "";
    return `${uid}FLAGS (${this.flagsOf(rec).join(" ")})${modseq}`;
  }

  /** true when some message the client knows has been expunged and not yet announced */
  hasPendingExpunge(): boolean {
    return this.uids.some((u) => this.mailbox.get(u) === undefined);
  }
}
