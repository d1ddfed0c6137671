// One MH folder as an IMAP mailbox. Every change, ours or nmh's, goes through `commit()`: one
// MODSEQ, one database transaction, then the events in order (expunged, added, flags).
import { EventEmitter } from "node:events";
import { promises as fsp, statSync } from "node:fs";
import { join } from "node:path";
import {
  addMessage, messageFile, readSequences, removeMessages, updateSequences, SEQUENCES_FILE,
} from "../mh/folder.js";
import { SequencesFormatError, type Sequences } from "../mh/sequences.js";
import { removeEverywhere } from "../mh/sequences-edit.js";
import type { MimeIndex } from "../message/types.js";
import type { StoreContext } from "./context.js";
import { toLf } from "./crlf.js";
import { changedMembers, normaliseFlags, sameFlags, storedFlags, type FlagLookup } from "./flags.js";
import { loadRecords, saveRecords } from "./records-cache.js";
import { crlfSize, indexMessage } from "./message-index.js";
import { openIfSame, openIfSameAsync, readIfSame, readIfSameAsync, yieldIfSliceDone } from "./file-scan.js";
import { LazySizes } from "./sizes.js";
import { IndexCache } from "./index-cache.js";
import { FolderWatch } from "./folder-watch.js";
import { rescanFolder, type NewMessage } from "./rescan.js";
import { insertRecords, updateFlags } from "./message-rows.js";
import { moveFiles } from "./move-files.js";
import { NumIndex } from "./num-index.js";
import { ROWS_LATER_MIN, RowsLater } from "./rows-later.js";
import { RACY_LOOK_EVERY_MS, fineStamp, isRacy } from "./racy.js";
import { FlagInterner, StoredRecord, findUid, identKey, type Ident } from "./record.js";
import {
  StoreError, type Flag, type Mailbox, type MailboxStatus, type MessageRecord, type StoreFlagsResult,
} from "./types.js";


/** how long an appended message keeps its guard copy (longer than an `inc` runs) */
const GUARD_MS = 10_000;
/** larger files are read with asynchronous calls, so one read never holds the event loop long */
const SYNC_READ_MAX = 1 << 20;
/** how often the guards are looked at, at most (see checkGuards) */
const GUARD_RECHECK_MS = 100;

/**
 * The second copy of a recent APPEND (or MOVE): a dot-named file, or for a message up to
 * MEMORY_GUARD_MAX its bytes in memory. Either lives only as long as this process (a dead
 * process's dot files are removed as stale), so memory loses nothing and saves a file creation,
 * a write and an unlink per APPEND.
 */
interface Guard {
  path: string | null; data?: Buffer; num: number; ident: Ident; at: number;
  /** as APPENDed, then changed by our STOREs of it: never read back from the number's sequences */
  flags: Flag[];
}

const MEMORY_GUARD_MAX = 256 * 1024;

function dropGuardFile(g: Guard): Promise<void> {
  return g.path === null ? Promise.resolve() : fsp.unlink(g.path).catch(() => undefined);
}


interface Changes {
  added?: NewMessage[];
  expunged?: number[];
  renumbered?: Map<number, number>; // uid → num
  /** the sequences now on disk: flags of every message are recomputed from them */
  seqs?: Sequences;
  dirSig?: string;
  seqSig?: string;
  racy?: boolean;
  /** the only numbers whose membership `seqs` changed against the records' sequences, if known */
  only?: ReadonlySet<number>;
}

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
  /** in UID order; replaced, never mutated, on change */
  private recs: readonly StoredRecord[] = [];
  private readonly interner = new FlagInterner();
  _uidNext: number;
  private _highestModseq: number;
  private dirSig: string | null;
  private seqSig: string | null;
  private racy: boolean;
  private loaded = false;
  /** moves with every change to the records; the snapshot written at `snapshotGen` */
  private gen: number;
  private snapshotGen = -1;
  /** numbers we added since the last scan, and whether we touched the directory at all */
  /** (for move-files.ts too) */
  pendingSelf = new Set<number>();
  guards = new Set<Guard>();
  private guardsCheckedAt = 0;
  /** the sequences every record's flags were last worked out from (null: not known yet) */
  private lastSeqs: Sequences | null = null;
  /** where each number's record is in `recs` (see num-index.ts); rebuilt when it is for another array */
  private numIdx: NumIndex | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  private watch: FolderWatch | null = null;
  private gone = false;
  private readonly sizes: LazySizes;
  private readonly indexes: IndexCache;
  private staleQueued = false;
  /** syncs begun that see every change made before they began (for FolderWatch's hints) */
  private looksBegun = 0;
  /** rows of a large batch of new messages still to be written (see rows-later.ts) */
  private rowsLater: RowsLater | null = null;
  /** when the directory was last read (Date.now), and the sync set for a deferred look */
  private lookedAt = 0;
  private lookTimer: NodeJS.Timeout | null = null;

  constructor(
    readonly ctx: StoreContext,
    readonly id: number,
    public name: string,
    public path: string,
    row: MailboxRow,
  ) {
    super();
    this.dir = join(ctx.root, path);
    this._uidNext = row.uidnext;
    this._highestModseq = row.highestmodseq;
    this.dirSig = row.dir_sig;
    this.seqSig = row.seq_sig;
    this.racy = row.racy !== 0;
    this.gen = row.gen;
    this.uidValidity = row.uidvalidity;
    this.sizes = new LazySizes(ctx, id, this.dir, () => this.resyncSoon());
    this.indexes = new IndexCache(ctx, id);
    this.on("newListener", (ev) => {
      if (ev === "change" && !this.gone) this.startWatch();
    });
    this.on("removeListener", (ev) => {
      if (ev === "change") this.updateWatch();
    });
  }

  readonly uidValidity: number;
  /** set by the first sync in this process (see Mailbox.newFrom) */
  private _newFrom: number | undefined;
  get newFrom(): number { return this._newFrom ?? this._uidNext; }
  get uidNext(): number { return this._uidNext; }
  get highestModseq(): number { return this._highestModseq; }

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
      this._newFrom ??= this._uidNext;
    });
  }

  messages(): readonly MessageRecord[] {
    this.ensureLoaded();
    return this.recs;
  }

  get(uid: number): MessageRecord | undefined {
    return this.rec(uid);
  }

  private rec(uid: number): StoredRecord | undefined {
    this.ensureLoaded();
    const i = findUid(this.recs, uid);
    return i < 0 ? undefined : this.recs[i];
  }

  status(): MailboxStatus {
    if (!this.loaded) {
      // STATUS on a folder nobody selected: counted by SQLite, no records built
      const c = this.ctx.stmts.statusOf.get(this.id) as
        { n: number; size: number; unseen: number; deleted: number; unsized: number | null };
      if (!c.unsized) {
        return {
          messages: c.n, recent: 0, uidNext: this._uidNext, uidValidity: this.uidValidity,
          unseen: c.unseen ?? 0, highestModseq: this._highestModseq, size: c.size, deleted: c.deleted ?? 0,
        };
      }
    }
    const recs = this.messages();
    let unseen = 0, deleted = 0;
    for (const r of recs) {
      if (!r.flags.includes("\\Seen")) unseen++;
      if (r.flags.includes("\\Deleted")) deleted++;
    }
    return {
      messages: recs.length, recent: 0, uidNext: this._uidNext, uidValidity: this.uidValidity,
      unseen, highestModseq: this._highestModseq, deleted,
      // summed only when read (STATUS SIZE): it may count files whose size nobody asked for yet
      get size() {
        let size = 0;
        for (const r of recs) size += r.size;
        return size;
      },
    };
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

  messagePath(uid: number): string {
    const r = this.rec(uid);
    if (!r) throw new StoreError("EXPUNGEISSUED", `no message with UID ${uid}`);
    return messageFile(this.dir, r.num);
  }

  /**
   * The file's bytes. Its identity is checked on the open descriptor: a file replaced or edited
   * behind our back is a different message, so we resync and report the UID as expunged.
   */
  async readMessage(uid: number): Promise<Buffer> {
    const r = this.rec(uid);
    if (!r) throw new StoreError("EXPUNGEISSUED", `no message with UID ${uid}`);
    const path = messageFile(this.dir, r.num);
    const data = r.fileSize <= SYNC_READ_MAX ? readIfSame(path, r.identKey()) : await readIfSameAsync(path, r.identKey());
    if (data) {
      // many of these in a row (SEARCH TEXT) must still let other sessions be served
      await yieldIfSliceDone();
      return data;
    }
    await this.sync({ deep: true });
    throw new StoreError("EXPUNGEISSUED", `message UID ${uid} was changed or removed`);
  }

  async openMessage(uid: number): Promise<{ fh: fsp.FileHandle; fileSize: number }> {
    const r = this.rec(uid);
    if (!r) throw new StoreError("EXPUNGEISSUED", `no message with UID ${uid}`);
    const f = await openIfSameAsync(messageFile(this.dir, r.num), r.identKey());
    if (f) return { fh: f.fh, fileSize: f.size };
    await this.sync({ deep: true });
    throw new StoreError("EXPUNGEISSUED", `message UID ${uid} was changed or removed`);
  }

  openMessageSync(uid: number): number {
    const r = this.rec(uid);
    if (!r) throw new StoreError("EXPUNGEISSUED", `no message with UID ${uid}`);
    const f = openIfSame(messageFile(this.dir, r.num), r.identKey());
    if (f) return f.fd;
    throw Object.assign(new Error(`message UID ${uid} was changed behind our back`), { code: "ENOENT" });
  }

  async index(uid: number): Promise<MimeIndex> {
    if (!this.rec(uid)) throw new StoreError("EXPUNGEISSUED", `no message with UID ${uid}`);
    const cached = this.indexes.get(uid);
    if (cached) return cached;
    const idx = indexMessage(await this.readMessage(uid));
    this.indexes.put(uid, idx);
    return idx;
  }

  async storeFlags(
    uids: number[], op: "add" | "remove" | "replace", flags: Flag[], unchangedSince?: number,
  ): Promise<StoreFlagsResult> {
    for (const f of flags) this.ctx.flags.sequenceOf(f); // refuse what MH cannot hold, before any write
    return this.run(async () => {
      this.ensureLoaded();
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
      await this.ownDirChange(() => this.updateSeqs((seqs) => {
        for (const r of targets) this.ctx.flags.apply(seqs, r.num, op, flags);
      }));
      // a guard restores the message with the flags the client gave it (see checkGuards)
      if (this.guards.size > 0) {
        const byIno = new Map([...this.guards].map((g) => [g.ident.ino, g]));
        for (const r of targets) {
          const g = byIno.get(r.ino);
          if (g && identKey(g.ident) === r.identKey()) g.flags = storedFlags(g.flags, op, flags);
        }
      }
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

  appendMany(msgs: Array<{ data: Buffer; flags: Flag[]; internalDate?: Date }>): Promise<number[]> {
    return this.appendStored(msgs.map((m) => ({ ...m, data: toLf(m.data) })));
  }

  /** Messages already in stored (LF) form; all or nothing. */
  async appendStored(msgs: Array<{ data: Buffer; flags: Flag[]; internalDate?: Date }>): Promise<number[]> {
    for (const m of msgs) for (const f of m.flags) this.ctx.flags.sequenceOf(f);
    return this.run(async () => {
      this.ensureLoaded();
      await this.syncLocked(false, 0, true);
      return this.ownDirChange(() => this.appendFiles(msgs));
    });
  }

  private async appendFiles(msgs: Array<{ data: Buffer; flags: Flag[]; internalDate?: Date }>): Promise<number[]> {
    {
      const added: NewMessage[] = [];
      const guards: Guard[] = [];
      try {
        let after = 0;
        // the sync just before saw every number there is: no readdir to find the next one
        const highest = this.highestNum();
        for (const m of msgs) {
          const date = m.internalDate ?? new Date();
          const inMemory = m.data.length <= MEMORY_GUARD_MAX;
          const a = await addMessage(this.dir, m.data, date, after, !inMemory, highest);
          after = a.num;
          this.pendingSelf.add(a.num);
          const ident = { ino: a.ino, size: a.size, mtime: a.mtimeMs };
          added.push({ num: a.num, ino: a.ino, size: a.size, mtime: a.mtimeMs, crlfSize: crlfSize(m.data) });
          guards.push({
            path: a.guard, data: inMemory ? Buffer.from(m.data) : undefined, num: a.num, ident, at: Date.now(),
            flags: normaliseFlags(m.flags),
          });
        }
      } catch (e) {
        await removeMessages(this.dir, added.map((a) => a.num));
        for (const g of guards) await dropGuardFile(g);
        if ((e as NodeJS.ErrnoException).code === "ENOSPC") throw new StoreError("OVERQUOTA", "no space left");
        throw e;
      }
      const firstUid = this._uidNext;
      await this.updateSeqs((seqs) => {
        msgs.forEach((m, i) => this.ctx.flags.apply(seqs, added[i].num, "replace", m.flags));
      }, added);
      for (const g of guards) this.guards.add(g);
      return added.map((_, i) => firstUid + i);
    }
  }

  /** The highest message number in the records (the folder's, right after a sync). */
  private highestNum(): number {
    let max = 0;
    for (const r of this.recs) if (r.num > max) max = r.num;
    for (const n of this.pendingSelf) if (n > max) max = n;
    return max;
  }

  async copyTo(uids: number[], dest: Mailbox): Promise<Array<[number, number]>> {
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
    const newUids = dest instanceof MhMailbox ? await dest.appendStored(picked) : await dest.appendMany(picked);
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
      const pairs = await this.copyTo(uids, dest);
      await this.expunge(pairs.map((p) => p[0]));
      return pairs;
    }
    const [first, second] = this.id < dest.id ? [this as MhMailbox, dest] : [dest, this as MhMailbox];
    return first.run(() => second.run(async () => {
      this.ensureLoaded();
      dest.ensureLoaded();
      await this.syncLocked(false);
      await dest.syncLocked(false);
      const targets = uids.map((u) => this.rec(u)).filter((r): r is StoredRecord => r !== undefined);
      if (targets.length === 0) return [];
      return dest.ownDirChange(() => this.ownDirChange(() => moveFiles(this, targets, dest)));
    }));
  }

  expunge(uids: number[]): Promise<number[]> {
    return this.run(async () => {
      this.ensureLoaded();
      await this.syncLocked(false);
      const targets = uids.map((u) => this.rec(u)).filter((r): r is StoredRecord => r !== undefined);
      if (targets.length === 0) return [];
      const done = targets.map((r) => r.uid);
      await this.ownDirChange(async () => {
        // the files go first: a crash after this point is an rmm that the next sync sees
        await removeMessages(this.dir, targets.map((r) => r.num));
        // an expunged message's APPEND guard must not bring it back when its number is reused
        const gone = new Set(targets.map((r) => r.identKey()));
        for (const g of [...this.guards]) {
          if (!gone.has(identKey(g.ident))) continue;
          this.guards.delete(g);
          await dropGuardFile(g);
        }
        await this.updateSeqs((seqs) => {
          for (const r of targets) removeEverywhere(seqs, r.num);
        }, [], done);
      });
      return done.sort((a, b) => a - b);
    });
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
    this.writeRowsNow();
    this.emit("change", { kind: "gone" });
  }

  close(): void {
    this.stopWatch();
    this.writeRowsNow();
    this.sizes.flush();
    this.indexes.flush();
    try {
      this.saveSnapshot();
    } catch (e) {
      this.ctx.log.warn({ mailbox: this.name, err: String(e) }, "could not save the records snapshot");
    }
    for (const g of this.guards.values()) void dropGuardFile(g);
    this.guards.clear();
  }

  // ---------------------------------------------------------------------------------------

  /**
   * Run a change of our own to the folder's directory (files added or removed, `.mh_sequences`
   * renamed in). If nobody else had changed the directory since our last scan, its new stat
   * signature is taken as known, so the next sync does not mistake our change for a `sortm`
   * and re-check every file. If someone had, the signature stays old and the next sync looks.
   */
  async ownDirChange<T>(fn: () => Promise<T>): Promise<T> {
    const before = await statSig(this.dir).catch(() => null);
    const result = await fn();
    if (before !== null && before.sig === this.dirSig) {
      const after = await statSig(this.dir).catch(() => null);
      // unchanged: nobody changed the directory meanwhile, we neither (a STORE that changed nothing)
      if (after && after.sig !== before.sig) {
        this.dirSig = after.sig;
        this.racy = true; // a change in the same clock tick would hide behind it: look next time
        this.ctx.stmts.setDirSig.run(after.sig, this.id);
      }
    }
    return result;
  }

  /**
   * Merge our change into `.mh_sequences` as it is on disk now (never overwriting a concurrent
   * `mark`), then take the result as the truth for every message's flags.
   */
  async updateSeqs(
    mutate: (seqs: Sequences) => void, added: NewMessage[] = [], expunged: number[] = [],
  ): Promise<void> {
    let seqs: Sequences, base: Sequences, touched: ReadonlySet<number> | null, written: boolean;
    let ino: number | undefined, sst = NO_FILE;
    for (let attempt = 1; ; attempt++) {
      try {
        ({ seqs, base, touched, written, ino } = await updateSequences(this.dir, this.ctx.seqUpdate, (s) => {
          mutate(s);
          s.delete("Recent"); // the old server's; IMAP \Recent is not kept on disk any more
        }));
      } catch (e) {
        if (e instanceof SequencesFormatError) {
          throw new StoreError("CANNOT", `${SEQUENCES_FILE} in ${this.name} is poorly formatted: ${e.message}`);
        }
        throw e;
      }
      if (!written) break;
      sst = await statSig(join(this.dir, SEQUENCES_FILE)).catch(() => NO_FILE);
      // nmh's `mark` removes the file when it leaves no public sequence, deciding from what it
      // read before our write: then ours went with it (or another writer's replaced it). Make
      // our change again on what is there now; a missing file is MH's "no sequences".
      if (sst.ino === ino || attempt >= 5) break;
    }
    // edited from the sequences the records were made from: only the touched numbers can differ
    const only = base === this.lastSeqs && touched !== null ? touched : undefined;
    if (!written) {
      // the file was left as it was: its stat stays as last looked at (if nmh wrote it since,
      // the next sync still sees that), and nothing is racy because of us
      this.commit({ added, expunged, seqs, only });
      return;
    }
    // our own write is too young to trust (see racy.ts): the next sync re-reads the file anyway
    this.commit({ added, expunged, seqs, seqSig: sst.sig, racy: true, only });
  }

  /**
   * The message records, read from the state database the first time someone needs them. A
   * sync that finds nothing changed does not need them, so opening an unchanged folder (or
   * STATUS on it) costs two stats and no per-message work at all.
   */
  ensureLoaded(): void {
    if (this.loaded) return;
    const l = loadRecords(this.ctx, this.id, this.uidValidity, this.gen, (uid, num, ino, size, mtime, modseq, crlf, flags) =>
      new StoredRecord(uid, num, this.interner.fromText(flags), modseq, crlf, ino, size, mtime, this.sizes));
    if (l.fromSnapshot) {
      this.snapshotGen = this.gen;
      this.lastSeqs = l.seqs;
    }
    this.recs = l.recs;
    this.loaded = true;
  }

  /** Rows still to be written (see rows-later.ts), now; a failure leaves the marker for the next open. */
  private writeRowsNow(): void {
    try {
      this.rowsLater?.flush();
    } catch (e) {
      this.ctx.log.warn({ mailbox: this.name, err: String(e) }, "could not write the message rows");
    }
    this.rowsLater = null;
  }

  /** The number → place lookup for the current records (built when they were replaced otherwise). */
  private numIndex(): NumIndex {
    if (this.numIdx?.recs !== this.recs) this.numIdx = NumIndex.of(this.recs);
    return this.numIdx;
  }

  /** Pack the records for the next process (see records-cache.ts); done on close, when they changed. */
  saveSnapshot(): void {
    if (!this.loaded || (this.snapshotGen === this.gen && !this.sizes.dirty)) return;
    saveRecords(this.ctx, this.id, this.uidValidity, this.gen, this.recs, this.lastSeqs);
    this.snapshotGen = this.gen;
    this.sizes.dirty = false;
  }

  /**
   * Our recent appends, each with its guard copy: if `inc` wrote over one (see addMessage), the
   * copy goes back in under a new number with the flags it had, and a deep scan gives `inc`'s
   * message and ours their UIDs. A guard is dropped once its file has been intact for a while.
   */
  private async checkGuards(force: boolean): Promise<boolean> {
    // Every APPEND syncs first, so checking all young guards each time made a run of appends
    // quadratic in stats. A clobbered message keeps its copy until looked at, so a check at
    // most every GUARD_RECHECK_MS loses nothing (a deep sync always looks).
    const now = Date.now();
    if (!force && now - this.guardsCheckedAt < GUARD_RECHECK_MS) return false;
    this.guardsCheckedAt = now;
    let clobbered = false;
    let byIdent: Map<string, StoredRecord> | null = null;
    let foundIno = 0;
    const statIdent = (num: number) => {
      const st = statSync(messageFile(this.dir, num), { throwIfNoEntry: false });
      foundIno = st ? st.ino : 0;
      return st ? identKey({ ino: st.ino, size: st.size, mtime: st.mtimeMs }) : null;
    };
    for (const g of [...this.guards]) {
      const key = identKey(g.ident);
      let found = statIdent(g.num);
      let rec: StoredRecord | undefined;
      if (found !== key) {
        // not where we left it: renumbered by pack or sortm (follow it), or written over
        byIdent ??= new Map(this.recs.map((r) => [r.identKey(), r]));
        rec = byIdent.get(key);
        if (rec && rec.num !== g.num) {
          g.num = rec.num;
          found = statIdent(g.num);
        }
      }
      const intact = found === key;
      if (intact && now - g.at < GUARD_MS) continue;
      this.guards.delete(g);
      // `inc` writes over our file in place (O_TRUNC: same inode). Another inode at that number
      // means ours was removed (expunge, rmm) and the number given to a new message.
      const reused = found !== null && !intact && foundIno !== g.ident.ino;
      if (intact || found === null || reused) {
        // still ours, long enough; or removed (expunged, rmm): the copy is not needed
        if (g.path !== null) await this.ownDirChange(() => dropGuardFile(g));
        continue;
      }
      // Written over. Even if a scan already expunged its UID the message must not be lost: a
      // new copy goes in (itself guarded, an `inc` may still be running) with the flags it had.
      const data = g.data ?? (await fsp.readFile(g.path!));
      const mtime = g.data ? new Date(g.ident.mtime) : (await fsp.stat(g.path!)).mtime;
      const inMemory = data.length <= MEMORY_GUARD_MAX;
      const a = await addMessage(this.dir, data, mtime, 0, !inMemory);
      await dropGuardFile(g);
      // Not rec.flags: once inc wrote over the file, the number's sequences are its message's
      // (inc puts it in the unseen sequence), and a sync may already have given them to our record.
      const flags = g.flags;
      this.guards.add({
        path: a.guard, data: inMemory ? data : undefined, num: a.num, ident: { ino: a.ino, size: a.size, mtime: a.mtimeMs },
        at: Date.now(), flags,
      });
      await updateSequences(this.dir, this.ctx.seqUpdate, (seqs) => this.ctx.flags.apply(seqs, a.num, "replace", flags));
      this.ctx.log.warn({ mailbox: this.name, num: g.num, restoredAs: a.num }, "an appended message was overwritten by inc; restored");
      clobbered = true;
    }
    return clobbered;
  }

  /**
   * `forAppend`: a racy folder (see racy.ts) is not read again just because it is racy. After
   * an APPEND of our own the folder is racy until its next look, so a run of APPENDs would read
   * the whole directory once each. An APPEND needs no picture of the old messages (link() never takes a
   * number in use); whatever hid in the racy window is found by the next other sync, since the
   * folder stays racy until one has looked.
   */
  private async syncLocked(deep: boolean, attempt = 0, forAppend = false): Promise<void> {
    if (this.guards.size > 0 && (await this.checkGuards(deep))) deep = true;
    let dst: Awaited<ReturnType<typeof statSig>>;
    try {
      dst = await statSig(this.dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") {
        this.markGone();
        throw new StoreError("NONEXISTENT", `mailbox ${this.name} no longer exists`);
      }
      throw e;
    }
    const sst = await statSig(join(this.dir, SEQUENCES_FILE)).catch(() => NO_FILE);
    const dirChanged = dst.sig !== this.dirSig;
    const seqChanged = sst.sig !== this.seqSig;
    let racyScan = this.racy && !forAppend;
    if (racyScan && !deep && !dirChanged && !seqChanged && this.lookedJustNow(dst.mtimeNs, sst.exists ? sst.mtimeNs : null)) {
      racyScan = false;
    }
    // a sync of a racy folder that does not read it is not a complete look (see FolderWatch);
    // nothing between the stats and here lets a watch event in
    if (!this.racy || deep || dirChanged || racyScan) this.looksBegun++;
    if (!deep && !dirChanged && !seqChanged && !racyScan) return;
    this.ensureLoaded();

    const scanNs = BigInt(Date.now()) * 1_000_000n;
    const scanDir = deep || dirChanged || racyScan;
    // a racy folder not looked at stays racy
    const racy = isRacy(scanNs, dst.mtimeNs) || (sst.exists && isRacy(scanNs, sst.mtimeNs)) || (this.racy && !scanDir);
    const changes: Changes = { dirSig: dst.sig, seqSig: sst.sig, racy };

    // .mh_sequences is read after the readdir: during the stats when the directory is read
    let seqRead = null as ReturnType<typeof readSequences> | null;
    const readSeqs = () => {
      seqRead = readSequences(this.dir, true);
      seqRead.catch(() => undefined); // awaited below; a scan that fails must not leave it unhandled
    };
    if (scanDir) {
      this.lookedAt = Date.now();
      const { deferred, ...found } = await rescanFolder(this.dir, this.recs, this.pendingSelf, deep, dirChanged, readSeqs);
      Object.assign(changes, found);
      // its writing changes no directory stamp: only a folder kept racy is read again for it
      if (deferred) changes.racy = true;
      this.pendingSelf.clear();
    }
    try {
      // shared: commit keeps it as lastSeqs and never changes it
      changes.seqs = (await (seqRead ?? readSequences(this.dir, true))).seqs;
    } catch (e) {
      if (!(e instanceof SequencesFormatError)) throw e;
      // nmh refuses such a file too; keep the flags we knew until someone fixes it
      this.ctx.log.warn({ mailbox: this.name, err: e.message }, "ignoring a poorly formatted .mh_sequences");
    }
    // The directory and .mh_sequences are looked at moments apart, and nmh may work in between
    // (`folder -pack` renames, then writes its new sequences): sequences newer than the scan would
    // be applied to the old numbering and make flags flicker. If the directory moved meanwhile,
    // look again; if it keeps moving, keep the flags we know and come back soon.
    const after = await statSig(this.dir).catch(() => null);
    if (after !== null && after.sig !== dst.sig) {
      if (attempt < 3) return this.syncLocked(deep, attempt + 1, forAppend);
      delete changes.seqs;
      changes.racy = true;
    }
    this.commit(changes);
  }

  /**
   * A racy folder with fine stamps whose directory was read less than RACY_LOOK_EVERY_MS ago is
   * not read again by this sync (see racy.ts); a sync is set for when that time is up, so what
   * hid behind our own stamps is found then even if nobody asks.
   */
  private lookedJustNow(dirStamp: bigint, seqStamp: bigint | null): boolean {
    const since = Date.now() - this.lookedAt;
    if (since >= RACY_LOOK_EVERY_MS || !fineStamp(dirStamp) || (seqStamp !== null && !fineStamp(seqStamp))) return false;
    this.lookTimer ??= setTimeout(() => {
      this.lookTimer = null;
      if (!this.gone) this.sync().catch(() => undefined);
    }, RACY_LOOK_EVERY_MS - since);
    this.lookTimer.unref();
    return true;
  }

  /** Apply one batch of changes: one MODSEQ, one transaction, then the events. */
  private commit(ch: Changes): void {
    this.ensureLoaded();
    const modseq = this._highestModseq + 1;
    let uidNext = this._uidNext;
    const expunged = new Set(ch.expunged ?? []);
    const renumbered = ch.renumbered ?? new Map<number, number>();
    const changedFlags: StoredRecord[] = [];
    /** where each of changedFlags sits in the new records (for range updates) */
    const changedPlaces: number[] = [];
    const renumberedRecs: StoredRecord[] = [];
    const addedRecs: StoredRecord[] = [];
    let flagsByNum: FlagLookup | null = null;
    /** the only numbers whose flags may have changed; null: any may have */
    let only: Set<number> | null = null;
    if (ch.seqs) {
      // Only the numbers whose sequence membership changed since the sequences the records were
      // made from (plus the new ones) need their flags worked out again; a pack renumbers all.
      let nums: Iterable<number>;
      if (this.lastSeqs && renumbered.size === 0) {
        only = ch.only ? new Set(ch.only) : changedMembers(this.lastSeqs, ch.seqs);
        for (const a of ch.added ?? []) only.add(a.num);
        nums = only;
      } else {
        const all: number[] = [];
        for (const r of this.recs) if (!expunged.has(r.uid)) all.push(renumbered.get(r.uid) ?? r.num);
        for (const a of ch.added ?? []) all.push(a.num);
        nums = all;
      }
      flagsByNum = this.ctx.flags.flagsByNumber(ch.seqs, nums, this.interner);
    }

    // the new records array, or null while nothing changed (views share the old one: never
    // changed in place, copied on the first change)
    let next: StoredRecord[] | null;
    const numIdx = expunged.size === 0 && renumbered.size === 0 && (!ch.seqs || only !== null) ? this.numIndex() : null;
    if (numIdx !== null) {
      // nothing gone or renumbered: visit only the records whose flags may have changed
      next = null;
      for (const n of only ?? []) {
        const i = numIdx.find(n);
        if (i < 0) continue;
        const r = this.recs[i];
        const flags = flagsByNum!.get(n) ?? r.flags;
        if (flags === r.flags || sameFlags(flags, r.flags)) continue;
        const rec = r.with(n, flags, modseq);
        changedFlags.push(rec);
        changedPlaces.push(i);
        (next ??= this.recs.slice())[i] = rec;
      }
    } else {
      next = [];
      for (const r of this.recs) {
        if (expunged.size > 0 && expunged.has(r.uid)) continue;
        const num = renumbered.get(r.uid) ?? r.num;
        // interned lists: the same flags are the same array
        const flags = flagsByNum?.get(num) ?? r.flags;
        const flagsChanged = flags !== r.flags && !sameFlags(flags, r.flags);
        if (num === r.num && !flagsChanged) {
          next.push(r);
          continue;
        }
        const rec = r.with(num, flagsChanged ? flags : r.flags, flagsChanged ? modseq : r.modseq);
        if (num !== r.num) renumberedRecs.push(rec);
        if (flagsChanged) {
          changedFlags.push(rec);
          changedPlaces.push(next.length);
        }
        next.push(rec);
      }
    }
    for (const a of ch.added ?? []) {
      const flags = flagsByNum?.get(a.num) ?? this.interner.intern([]);
      const rec = new StoredRecord(uidNext++, a.num, flags, modseq, a.crlfSize, a.ino, a.size, a.mtime, this.sizes);
      (next ??= this.recs.slice()).push(rec);
      addedRecs.push(rec);
    }
    const anyMessageChange = expunged.size > 0 || addedRecs.length > 0 || changedFlags.length > 0;
    const highest = anyMessageChange ? modseq : this._highestModseq;
    const dirSig = ch.dirSig ?? this.dirSig;
    const seqSig = ch.seqSig ?? this.seqSig;
    const racy = ch.racy ?? this.racy;

    const gen = anyMessageChange || renumberedRecs.length > 0 ? this.gen + 1 : this.gen;
    const s = this.ctx.stmts;
    let later = null as RowsLater | null; // set inside the transaction
    this.ctx.db.transaction(() => {
      // every row must be there before any is changed or removed
      this.rowsLater?.flush();
      for (const uid of expunged) {
        s.deleteMessage.run(this.id, uid);
        s.insertExpunged.run(this.id, uid, modseq);
      }
      for (const r of renumberedRecs) s.updateNum.run(r.num, this.id, r.uid);
      updateFlags(s, this.id, changedFlags, modseq, changedPlaces);
      if (addedRecs.length >= ROWS_LATER_MIN) later = new RowsLater(this.ctx, this.id, addedRecs, modseq);
      else insertRecords(s, this.id, addedRecs, modseq);
      s.updateMailboxState.run(uidNext, highest, dirSig, seqSig, racy ? 1 : 0, gen, this.id);
    })();
    this.rowsLater = later;
    later?.start();

    // state in memory follows the committed transaction
    this._uidNext = uidNext;
    this._highestModseq = highest;
    // new messages without readable sequences got no flags: work all out next time
    if (ch.seqs) this.lastSeqs = ch.seqs;
    // (and records renumbered without them no longer match the numbers in the old ones)
    else if (addedRecs.length > 0 || renumberedRecs.length > 0) this.lastSeqs = null;
    this.gen = gen;
    this.dirSig = dirSig;
    this.seqSig = seqSig;
    this.racy = racy;
    if (next !== null && (anyMessageChange || renumberedRecs.length > 0)) {
      // the walk of a few numbers keeps the index (same places, new records at the end)
      this.numIdx = numIdx !== null ? numIdx.extend(next, this.recs.length) : null;
      this.recs = next;
    }
    if (expunged.size > 0) this.emit("change", { kind: "expunged", uids: [...expunged].sort((a, b) => a - b) });
    if (addedRecs.length > 0) this.emit("change", { kind: "added", uids: addedRecs.map((r) => r.uid) });
    if (changedFlags.length > 0) {
      this.emit("change", { kind: "flags", uids: changedFlags.map((r) => r.uid).sort((a, b) => a - b) });
    }
  }

  // only folders someone listens to hold a watcher
  private updateWatch(): void {
    if (this.listenerCount("change") > 0 && !this.gone) this.startWatch();
    else this.stopWatch();
  }

  private startWatch(): void {
    this.watch ??= new FolderWatch(this.dir, this.ctx.pollMs, () => {
      this.sync().catch((e) => {
        if (!(e instanceof StoreError && e.code === "NONEXISTENT")) {
          this.ctx.log.warn({ mailbox: this.name, err: String(e) }, "background sync failed");
        }
      });
    }, this.ctx.log, () => this.looksBegun);
    this.watch.start();
  }

  private stopWatch(): void {
    this.watch?.stop();
    if (this.lookTimer) clearTimeout(this.lookTimer);
    this.lookTimer = null;
  }
}

/** Synchronous: a stat through the thread pool cost more than the stat (two per sync). */
async function statSig(path: string): Promise<{ sig: string; mtimeNs: bigint; exists: boolean; ino: number }> {
  const st = statSync(path, { bigint: true });
  return { sig: `${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`, mtimeNs: st.mtimeNs, exists: true, ino: Number(st.ino) };
}

/** The signature of a missing file (MH: no sequences). */
const NO_FILE = { sig: "none", mtimeNs: 0n, exists: false, ino: -1 };
