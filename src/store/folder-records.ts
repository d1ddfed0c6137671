// A folder's message records in memory, with the state that moves with them (UIDNEXT,
// HIGHESTMODSEQ, the generation): read from the state database on first need, replaced by
// each commit (see commit.ts), packed for the next process on close (see records-cache.ts).
import type { Sequences } from "../mh/sequences.js";
import { planCommit, writeCommit, type Changes, type CommitPlan, type DiskStamps } from "./commit.js";
import type { StoreContext } from "./context.js";
import { NumIndex } from "./num-index.js";
import { FlagInterner, StoredRecord, findUid } from "./record.js";
import { loadRecords, saveRecords } from "./records-cache.js";
import type { DeferredRows } from "./deferred-rows.js";
import type { LazySizes } from "./sizes.js";

export class FolderRecords {
  /** in UID order; replaced, never mutated, on change */
  private recs: readonly StoredRecord[] = [];
  private readonly interner = new FlagInterner();
  private _uidNext: number;
  private _highestModseq: number;
  private _loaded = false;
  /** moves with every change to the records; the snapshot written at `snapshotGen` */
  private gen: number;
  private snapshotGen = -1;
  /** the sequences every record's flags were last worked out from (null: not known yet) */
  private _lastSeqs: Sequences | null = null;
  /** where each number's record is in `recs` (see num-index.ts); rebuilt when it is for another array */
  private numIdx: NumIndex | null = null;
  /** rows of a large batch of new messages still to be written (see deferred-rows.ts) */
  private deferredRows: DeferredRows | null = null;

  constructor(
    private readonly ctx: StoreContext,
    private readonly id: number,
    private readonly uidValidity: number,
    row: { uidnext: number; highestmodseq: number; gen: number },
    private readonly sizes: LazySizes,
  ) {
    this._uidNext = row.uidnext;
    this._highestModseq = row.highestmodseq;
    this.gen = row.gen;
  }

  get uidNext(): number { return this._uidNext; }
  get highestModseq(): number { return this._highestModseq; }
  get loaded(): boolean { return this._loaded; }
  get lastSeqs(): Sequences | null { return this._lastSeqs; }
  /** the records as they are, not loaded if they were not yet (then none) */
  get current(): readonly StoredRecord[] { return this.recs; }

  /** The records, loaded first if need be. */
  all(): readonly StoredRecord[] {
    this.ensureLoaded();
    return this.recs;
  }

  find(uid: number): StoredRecord | undefined {
    this.ensureLoaded();
    const i = findUid(this.recs, uid);
    return i < 0 ? undefined : this.recs[i];
  }

  /**
   * The message records, read from the state database the first time someone needs them. A
   * sync that finds nothing changed does not need them, so opening an unchanged folder (or
   * STATUS on it) costs two stats and no per-message work at all.
   */
  ensureLoaded(): void {
    if (this._loaded) return;
    const l = loadRecords(this.ctx, this.id, this.uidValidity, this.gen, (uid, num, ino, size, mtime, modseq, crlf, flags) =>
      new StoredRecord(uid, num, this.interner.fromText(flags), modseq, crlf, ino, size, mtime, this.sizes));
    if (l.fromSnapshot) {
      this.snapshotGen = this.gen;
      this._lastSeqs = l.seqs;
    }
    this.recs = l.recs;
    this._loaded = true;
  }

  /** Commit one batch of changes: planned, written in one transaction, then taken as the state. */
  commit(ch: Changes, stamps: DiskStamps): CommitPlan {
    this.ensureLoaded();
    const p = planCommit({
      recs: this.recs, uidNext: this._uidNext, highestModseq: this._highestModseq, gen: this.gen,
      stamps, lastSeqs: this._lastSeqs, flags: this.ctx.flags, interner: this.interner,
      sizes: this.sizes, numIndex: () => this.numIndex(),
    }, ch);
    const later = writeCommit(this.ctx, this.id, p, this.deferredRows);
    this.deferredRows = later;
    later?.start();

    // state in memory follows the committed transaction
    this._uidNext = p.uidNext;
    this._highestModseq = p.highestModseq;
    // new messages without readable sequences got no flags: work all out next time
    if (ch.seqs) this._lastSeqs = ch.seqs;
    // (and records renumbered without them no longer match the numbers in the old ones)
    else if (p.added.length > 0 || p.renumbered.length > 0) this._lastSeqs = null;
    this.gen = p.gen;
    if (p.next !== null && p.recordsChanged) {
      // the walk of a few numbers keeps the index (same places, new records at the end)
      this.numIdx = p.numIdx !== null ? p.numIdx.extend(p.next, this.recs.length) : null;
      this.recs = p.next;
    }
    return p;
  }

  /** The number → place lookup for the current records (built when they were replaced otherwise). */
  private numIndex(): NumIndex {
    if (this.numIdx?.recs !== this.recs) this.numIdx = NumIndex.of(this.recs);
    return this.numIdx;
  }

  /** Rows still to be written (see deferred-rows.ts), now; a failure leaves the marker for the next open. */
  writeRowsNow(name: string): void {
    try {
      this.deferredRows?.flush();
    } catch (e) {
      this.ctx.log.warn({ mailbox: name, err: String(e) }, "could not write the message rows");
    }
    this.deferredRows = null;
  }

  /** Pack the records for the next process (see records-cache.ts); done on close, when they changed. */
  saveSnapshot(): void {
    if (!this._loaded || (this.snapshotGen === this.gen && !this.sizes.dirty)) return;
    saveRecords(this.ctx, this.id, this.uidValidity, this.gen, this.recs, this._lastSeqs);
    this.snapshotGen = this.gen;
    this.sizes.dirty = false;
  }
}
