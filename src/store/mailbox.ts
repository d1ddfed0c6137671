// One MH folder as an IMAP mailbox: the lock every change holds, and the commands. Every change,
// ours or nmh's, goes through `commit()`: one MODSEQ, one database transaction (commit.ts,
// folder-records.ts), then the events in order (expunged, added, flags).
import { EventEmitter } from "node:events";
import { join } from "node:path";
import { removeMessages } from "../mh/folder.js";
import type { Sequences } from "../mh/sequences.js";
import { removeEverywhere } from "../mh/sequences-edit.js";
import type { MimeIndex } from "../message/model.js";
import { undoAppends, writeAppends, type Appended } from "./append-files.js";
import { AppendGuards } from "./append-guards.js";
import type { Changes } from "./commit.js";
import type { StoreContext } from "./context.js";
import { toLf } from "./line-endings.js";
import { DiskSync, type LookedAt } from "./disk-sync.js";
import { FolderRecords } from "./folder-records.js";
import { countedStatus, recordsStatus } from "./folder-status.js";
import { MessageFiles } from "./message-files.js";
import { LazySizes } from "./sizes.js";
import { IndexRows } from "./index-rows.js";
import { FolderWatch } from "./folder-watch.js";
import type { NewMessage } from "./rescan.js";
import { moveFiles, type MoveDestination, type MoveSource } from "./move-files.js";
import type { StoredRecord } from "./record.js";
import {
  StoreError, type Flag, type Mailbox, type MailboxEvent, type MailboxStatus, type MessageBytes, type MessageRecord, type StoreFlagsResult,
} from "./contract.js";

/** how often a folder watched only by NOTIFY (watchLightly) is looked at, besides fs.watch's hints */
export const LIGHT_POLL_MS = 30_000;

export interface MailboxRow {
  id: number;
  path: string;
  uidvalidity: number;
  uidnext: number;
  highestmodseq: number;
  dir_sig: string | null;
  seq_sig: string | null;
  racy: number;
  gen: number;
}

export class MhMailbox extends EventEmitter implements Mailbox {
  readonly dir: string;
  private readonly records: FolderRecords;
  /** what we last saw of the directory and `.mh_sequences`, and our own writes to them */
  private readonly disk: DiskSync;
  private readonly guards: AppendGuards;
  private chain: Promise<unknown> = Promise.resolve();
  private watch: FolderWatch | null = null;
  private gone = false;
  private readonly sizes: LazySizes;
  private readonly indexes: IndexRows;
  private readonly files: MessageFiles;
  private staleQueued = false;
  /** "change" listeners added by watchLightly (NOTIFY on a folder nobody selected) */
  private lightListeners = 0;
  private addingLight = false;

  constructor(
    readonly ctx: StoreContext,
    readonly id: number,
    public name: string,
    public path: string,
    row: MailboxRow,
  ) {
    super();
    this.dir = join(ctx.root, path);
    this.uidValidity = row.uidvalidity;
    const stamps = { dirSig: row.dir_sig, seqSig: row.seq_sig, racy: row.racy !== 0 };
    this.disk = new DiskSync(ctx, id, this.dir, stamps, () => {
      if (!this.gone) this.sync().catch(() => undefined);
    });
    this.guards = new AppendGuards(ctx, this.dir, () => this.name, (fn) => this.disk.ownDirChange(fn));
    this.sizes = new LazySizes(ctx, id, this.dir, () => this.resyncSoon());
    this.indexes = new IndexRows(ctx, id);
    this.records = new FolderRecords(ctx, id, this.uidValidity, row, this.sizes);
    this.files = new MessageFiles(this.dir, this.indexes, (uid) => this.rec(uid), () => this.sync({ deep: true }));
    this.on("newListener", (ev) => {
      // called before the listener is in the count: it is a full one unless watchLightly adds it
      if (ev === "change" && !this.gone) this.startWatch(this.addingLight ? 0 : 1);
    });
    this.on("removeListener", (ev) => {
      if (ev === "change") this.updateWatch();
    });
  }

  readonly uidValidity: number;
  /** set by the first sync in this process (see Mailbox.newFrom) */
  private _newFrom: number | undefined;
  get newFrom(): number { return this._newFrom ?? this.records.uidNext; }
  get uidNext(): number { return this.records.uidNext; }
  get highestModseq(): number { return this.records.highestModseq; }

  /** Serialise everything that reads or writes this folder's state within the process. */
  private run<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.chain.then(() => {
      if (this.gone) throw new StoreError("NONEXISTENT", `mailbox ${this.name} no longer exists`);
      return fn();
    });
    this.chain = p.catch(() => undefined);
    return p;
  }

  sync(opts: { deep?: boolean } = {}): Promise<void> {
    return this.run(async () => {
      await this.syncLocked(opts.deep ?? false);
      this._newFrom ??= this.records.uidNext;
    });
  }

  messages(): readonly MessageRecord[] {
    return this.records.all();
  }

  get(uid: number): MessageRecord | undefined {
    return this.rec(uid);
  }

  private rec(uid: number): StoredRecord | undefined {
    return this.records.find(uid);
  }

  status(): MailboxStatus {
    const head = { uidNext: this.records.uidNext, uidValidity: this.uidValidity, highestModseq: this.records.highestModseq };
    // STATUS on a folder nobody selected: counted by SQLite, no records built
    return (this.records.loaded ? null : countedStatus(this.ctx, this.id, head)) ?? recordsStatus(this.records.all(), head);
  }

  /** A file was found replaced under a record: one deep sync reports it (see readMessage). */
  private resyncSoon(): void {
    if (this.staleQueued) return;
    this.staleQueued = true;
    setImmediate(() => {
      this.staleQueued = false;
      this.sync({ deep: true }).catch(() => undefined);
    });
  }

  messagePath(uid: number): string { return this.files.path(uid); }
  readMessage(uid: number): Promise<Buffer> { return this.files.read(uid); }
  messageBytes(uid: number): Promise<MessageBytes> { return this.files.bytes(uid); }
  readMessageRange(uid: number, start: number, end: number): Buffer { return this.files.readRange(uid, start, end); }
  index(uid: number): Promise<MimeIndex> { return this.files.index(uid); }

  savedDate(uid: number): number | null {
    let saved = this.ctx.stmts.savedOf.get(this.id, uid) as number | null | undefined;
    if (saved === undefined && this.rec(uid)) {
      // one of a big batch whose rows are still being written (deferred-rows.ts): write them now
      this.records.writeRowsNow(this.name);
      saved = this.ctx.stmts.savedOf.get(this.id, uid) as number | null | undefined;
    }
    return saved == null ? null : Math.round(saved * 1000);
  }

  async storeFlags(
    uids: number[], op: "add" | "remove" | "replace", flags: Flag[], unchangedSince?: number,
  ): Promise<StoreFlagsResult> {
    for (const f of flags) this.ctx.flags.sequenceOf(f); // refuse what MH cannot hold, before any write
    return this.run(async () => {
      this.records.ensureLoaded();
      await this.syncLocked(false);
      const modified: number[] = [];
      const targets: StoredRecord[] = [];
      for (const uid of uids) {
        const r = this.rec(uid);
        if (!r) continue;
        if (unchangedSince !== undefined && r.modseq > unchangedSince) modified.push(uid);
        else targets.push(r);
      }
      if (targets.length === 0) return { changed: [], modified };
      const before = new Map(targets.map((r) => [r.uid, r]));
      await this.disk.ownDirChange(() => this.updateSeqs((seqs) => {
        for (const r of targets) this.ctx.flags.apply(seqs, r.num, op, flags);
      }));
      this.guards.storeFlags(targets, op, flags);
      const changed: MessageRecord[] = [];
      for (const [uid, old] of before) {
        const now = this.rec(uid);
        if (now && now !== old && now.modseq !== old.modseq) changed.push(now);
      }
      return { changed, modified };
    });
  }

  append(data: Buffer, flags: Flag[], internalDate?: Date): Promise<number> {
    return this.appendMany([{ data, flags, internalDate }]).then((u) => u[0]);
  }

  appendMany(msgs: Appended[]): Promise<number[]> {
    return this.appendStored(msgs.map((m) => ({ ...m, data: toLf(m.data) })));
  }

  /**
   * Messages already in stored (LF) form; all or nothing. `counted`: they add to the quota's
   * usage and must fit in it (checked after the sync, so mail nmh just delivered counts); a
   * MOVE inside the one quota root adds nothing, as Dovecot counts it.
   */
  async appendStored(msgs: Appended[], counted = true): Promise<number[]> {
    for (const m of msgs) for (const f of m.flags) this.ctx.flags.sequenceOf(f);
    if (counted) await this.ctx.quota.prepare();
    return this.run(async () => {
      this.records.ensureLoaded();
      await this.syncLocked(false, true);
      const bytes = counted ? msgs.reduce((n, m) => n + m.data.length, 0) : 0;
      return this.ctx.quota.admit(counted ? msgs.length : 0, bytes,
        () => this.disk.ownDirChange(() => this.appendFiles(msgs)));
    });
  }

  private async appendFiles(msgs: Appended[]): Promise<number[]> {
    // the sync just before saw every number there is: no readdir to find the next one
    const highest = this.disk.highestNum(this.records.current);
    const { added, guards } = await writeAppends(this.dir, msgs, highest, (num) => this.disk.pendingSelf.add(num));
    const firstUid = this.records.uidNext;
    try {
      await this.updateSeqs((seqs) => {
        msgs.forEach((m, i) => this.ctx.flags.apply(seqs, added[i].num, "replace", m.flags));
      }, added);
    } catch (e) {
      // nothing committed (a full disk refused `.mh_sequences` or the database): the files go
      // too, or the next look would take the messages this NO refused as new mail
      await undoAppends(this.dir, added, guards);
      throw e;
    }
    for (const g of guards) this.guards.add(g);
    return added.map((_, i) => firstUid + i);
  }

  copyTo(uids: number[], dest: Mailbox): Promise<Array<[number, number]>> {
    return this.copyMessages(uids, dest, true);
  }

  private async copyMessages(uids: number[], dest: Mailbox, counted: boolean): Promise<Array<[number, number]>> {
    const picked: Array<{ uid: number; data: Buffer; flags: Flag[]; internalDate: Date }> = [];
    for (const uid of uids) {
      const r = this.rec(uid);
      if (!r) continue;
      try {
        picked.push({ uid, data: await this.readMessage(uid), flags: r.flags, internalDate: r.internalDate });
      } catch (e) {
        if (e instanceof StoreError && e.code === "EXPUNGEISSUED") continue;
        throw e;
      }
    }
    if (picked.length === 0) return [];
    const newUids = dest instanceof MhMailbox ? await dest.appendStored(picked, counted) : await dest.appendMany(picked);
    return picked.map((p, i) => [p.uid, newUids[i]]);
  }

  /**
   * MOVE, crash-safe: each file is renamed into the destination (in exactly one folder at every
   * instant) under a number first claimed with an empty file, as nmh's `inc` may race us; the
   * intent is journalled before the first rename (see move-journal.ts). Both folders are held,
   * in a fixed order, so no sync of either sees half of it.
   */
  async moveTo(uids: number[], dest: Mailbox): Promise<Array<[number, number]>> {
    if (!(dest instanceof MhMailbox) || dest === this) {
      const pairs = await this.copyMessages(uids, dest, false); // (the expunge takes them out again)
      await this.expunge(pairs.map((p) => p[0]));
      return pairs;
    }
    const [first, second] = this.id < dest.id ? [this as MhMailbox, dest] : [dest, this as MhMailbox];
    return first.run(() => second.run(async () => {
      this.records.ensureLoaded();
      dest.records.ensureLoaded();
      await this.syncLocked(false);
      await dest.syncLocked(false);
      const targets = uids.map((u) => this.rec(u)).filter((r): r is StoredRecord => r !== undefined);
      if (targets.length === 0) return [];
      const move = () => moveFiles(this.ctx, this.asMoveSource(), targets, dest.asMoveDestination());
      return dest.disk.ownDirChange(() => this.disk.ownDirChange(move));
    }));
  }

  expunge(uids: number[]): Promise<number[]> {
    return this.run(async () => {
      this.records.ensureLoaded();
      await this.syncLocked(false);
      const targets = uids.map((u) => this.rec(u)).filter((r): r is StoredRecord => r !== undefined);
      if (targets.length === 0) return [];
      const done = targets.map((r) => r.uid);
      await this.disk.ownDirChange(async () => {
        // the files go first: a crash after this point is an rmm that the next sync sees
        await removeMessages(this.dir, targets.map((r) => r.num));
        await this.guards.dropExpunged(targets);
        await this.updateSeqs((seqs) => {
          for (const r of targets) removeEverywhere(seqs, r.num);
        }, [], done);
      });
      return done.sort((a, b) => a - b);
    });
  }

  watchLightly(listener: (ev: MailboxEvent) => void): () => void {
    this.addingLight = true;
    try {
      this.on("change", listener);
    } finally {
      this.addingLight = false;
    }
    this.lightListeners++;
    let removed = false;
    return () => {
      if (removed) return;
      removed = true;
      this.lightListeners--;
      this.off("change", listener);
    };
  }

  expungedSince(modseq: number): number[] {
    return this.ctx.stmts.expungedSince.all(this.id, modseq) as number[];
  }

  /** Called by the store when the folder was deleted or renamed away. */
  markGone(): void {
    if (this.gone) return;
    this.gone = true;
    this.stopWatch();
    // written all the same: a folder renamed by hand keeps its row, its UIDs and so these rows
    this.records.writeRowsNow(this.name);
    this.emit("change", { kind: "gone" });
    this.ctx.onChange?.({ kind: "gone", mailbox: this });
  }

  close(): void {
    this.stopWatch();
    this.records.writeRowsNow(this.name);
    this.sizes.flush();
    this.indexes.flush();
    try {
      this.records.saveSnapshot();
    } catch (e) {
      this.ctx.log.warn({ mailbox: this.name, err: String(e) }, "could not save the records snapshot");
    }
    this.guards.dropAll();
  }

  // ---------------------------------------------------------------------------------------

  /**
   * Merge our change into `.mh_sequences` as it is on disk now (never overwriting a concurrent
   * `mark`), then take the result as the truth for every message's flags.
   */
  private async updateSeqs(
    mutate: (seqs: Sequences) => void, added: NewMessage[] = [], expunged: number[] = [],
  ): Promise<void> {
    const m = await this.disk.mergeSequences(mutate, this.name);
    // edited from the sequences the records were made from: only the touched numbers can differ
    const only = m.base === this.records.lastSeqs && m.touched !== null ? m.touched : undefined;
    if (!m.written) {
      // the file was left as it was: its stat stays as last looked at (if nmh wrote it since,
      // the next sync still sees that), and nothing is racy because of us
      this.commit({ added, expunged, seqs: m.seqs, only });
      return;
    }
    // our own write is too young to trust (see stat-trust.ts): the next sync re-reads the file anyway
    this.commit({ added, expunged, seqs: m.seqs, seqSig: m.seqSig, racy: true, only });
  }

  /** Look at the disk and commit what changed (see disk-sync.ts); the folder is held. */
  private async syncLocked(deep: boolean, forAppend = false): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      if (this.guards.size > 0 && (await this.guards.check(deep, this.records.current))) deep = true;
      const ch = await this.disk.look(this.lookTarget(), deep, forAppend, attempt);
      if (ch === "again") continue;
      if (ch !== null) this.commit(ch);
      return;
    }
  }

  /** What a look at the disk needs of this folder. */
  private lookTarget(): LookedAt {
    return {
      name: this.name,
      records: () => this.records.all(),
      markGone: () => this.markGone(),
    };
  }

  /** What MOVE may do to this folder as its source (see move-files.ts); the folder is held. */
  private asMoveSource(): MoveSource {
    return {
      dir: this.dir, path: this.path,
      removeMoved: (moved) => this.updateSeqs((seqs) => {
        for (const m of moved) removeEverywhere(seqs, m.rec.num);
      }, [], moved.map((m) => m.rec.uid)),
    };
  }

  /** What MOVE may do to this folder as its destination; the folder is held. */
  private asMoveDestination(): MoveDestination {
    return {
      dir: this.dir, path: this.path, name: this.name,
      nextUid: () => this.records.uidNext,
      claimed: (num) => this.disk.pendingSelf.add(num),
      addMoved: (moved) => this.updateSeqs((seqs) => {
        for (const m of moved) this.ctx.flags.apply(seqs, m.num, "replace", m.rec.flags);
      }, moved.map((m) => ({ num: m.num, ino: m.rec.ino, size: m.rec.fileSize, mtime: m.rec.mtime, crlfSize: m.rec.knownSize }))),
      guardMoved: (moved) => {
        for (const m of moved) {
          this.guards.add({ path: m.guard, num: m.num, ident: m.rec.ident, at: Date.now(), flags: m.rec.flags });
        }
      },
    };
  }

  /** Apply one batch of changes: one MODSEQ, one transaction, then the events. */
  private commit(ch: Changes): void {
    const p = this.records.commit(ch, this.disk);
    this.disk.settle(p.stamps);
    if (p.expunged.size > 0) this.emit("change", { kind: "expunged", uids: [...p.expunged].sort((a, b) => a - b) });
    if (p.added.length > 0) this.emit("change", { kind: "added", uids: p.added.map((r) => r.uid) });
    if (p.expunged.size > 0) this.ctx.onChange?.({ kind: "expunged" });
    if (p.added.length > 0) this.ctx.onChange?.({ kind: "added", mailbox: this });
    if (p.changedFlags.length > 0) {
      this.emit("change", { kind: "flags", uids: p.changedFlags.map((r) => r.uid).sort((a, b) => a - b) });
    }
  }

  // only folders someone listens to hold a watcher
  private updateWatch(): void {
    if (this.listenerCount("change") > 0 && !this.gone) this.startWatch();
    else this.stopWatch();
  }

  /** a folder with only light listeners is looked at every 30 s; fs.watch is its fast path */
  private pollPeriod(addingFull: number): number {
    const full = this.listenerCount("change") - this.lightListeners + addingFull;
    return full > 0 ? this.ctx.pollMs : Math.max(this.ctx.pollMs, LIGHT_POLL_MS);
  }

  private startWatch(addingFull = 0): void {
    if (this.watch) {
      this.watch.setPoll(this.pollPeriod(addingFull));
      this.watch.start();
      return;
    }
    this.watch = new FolderWatch(this.dir, this.pollPeriod(addingFull), () => {
      this.sync().catch((e) => {
        if (!(e instanceof StoreError && e.code === "NONEXISTENT")) {
          this.ctx.log.warn({ mailbox: this.name, err: String(e) }, "background sync failed");
        }
      });
    }, this.ctx.log, () => this.disk.looksBegun);
    this.watch.start();
  }

  private stopWatch(): void {
    this.watch?.stop();
    this.disk.stopTimer();
  }
}
