// The commit of one batch of changes to a folder's records: `planCommit` works out the new records
// from the old ones and the changes (no I/O), `writeCommit` writes that plan in one transaction.
// The mailbox then takes the plan as its state and tells its listeners (mailbox.ts).
import type { Sequences } from "../mh/sequences.js";
import type { StoreContext } from "./context.js";
import { changedMembers, sameFlags, type FlagLookup, type FlagMap } from "./flags.js";
import { insertRecords, updateFlags } from "./message-rows.js";
import type { NumIndex } from "./num-index.js";
import { StoredRecord, type FlagInterner, type SizeCounter } from "./record.js";
import type { NewMessage } from "./rescan.js";
import { DEFERRED_ROWS_MIN, DeferredRows } from "./deferred-rows.js";

/** What a look at the disk, or a change of ours, found. */
export interface Changes {
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

/** What the folder last saw of its directory and `.mh_sequences` (see disk-sync.ts). */
export interface DiskStamps { dirSig: string | null; seqSig: string | null; racy: boolean }

/** A folder's state before the commit, and what building records needs. */
export interface CommitBase {
  /** in UID order, never changed in place */
  recs: readonly StoredRecord[];
  uidNext: number;
  highestModseq: number;
  gen: number;
  stamps: DiskStamps;
  /** the sequences every record's flags were last worked out from (null: not known) */
  lastSeqs: Sequences | null;
  flags: FlagMap;
  interner: FlagInterner;
  sizes: SizeCounter;
  /** the number → place lookup for `recs` */
  numIndex: () => NumIndex;
}

export interface CommitPlan {
  modseq: number;
  expunged: ReadonlySet<number>;
  /** the new records, or null while nothing changed (views share the old array) */
  next: StoredRecord[] | null;
  changedFlags: StoredRecord[];
  /** where each of changedFlags sits in `next` (for range updates) */
  changedPlaces: number[];
  renumbered: StoredRecord[];
  added: StoredRecord[];
  uidNext: number;
  highestModseq: number;
  gen: number;
  stamps: DiskStamps;
  /** the index for `next`, when the walk kept it (same places, new records at the end) */
  numIdx: NumIndex | null;
  /** whether any record changed, was added or is gone (else the records stay as they were) */
  recordsChanged: boolean;
}

/** The new records and state for one batch of changes: one MODSEQ for all of it. */
export function planCommit(b: CommitBase, ch: Changes): CommitPlan {
  const modseq = b.highestModseq + 1;
  const expunged = new Set(ch.expunged ?? []);
  const renumbered = ch.renumbered ?? new Map<number, number>();
  const { flagsByNum, only } = flagsToWorkOut(b, ch, expunged, renumbered);
  const numIdx = expunged.size === 0 && renumbered.size === 0 && (!ch.seqs || only !== null) ? b.numIndex() : null;
  const w: Walk = { next: null, changedFlags: [], changedPlaces: [], renumbered: [] };
  // nothing gone or renumbered: visit only the records whose flags may have changed
  if (numIdx !== null) walkFew(b, w, numIdx, only ?? [], flagsByNum!, modseq);
  else walkAll(b, w, expunged, renumbered, flagsByNum, modseq);
  let uidNext = b.uidNext;
  const added: StoredRecord[] = [];
  for (const a of ch.added ?? []) {
    const flags = flagsByNum?.get(a.num) ?? b.interner.intern([]);
    const rec = new StoredRecord(uidNext++, a.num, flags, modseq, a.crlfSize, a.ino, a.size, a.mtime, b.sizes);
    (w.next ??= b.recs.slice()).push(rec);
    added.push(rec);
  }
  const anyMessageChange = expunged.size > 0 || added.length > 0 || w.changedFlags.length > 0;
  const recordsChanged = anyMessageChange || w.renumbered.length > 0;
  return {
    ...w, modseq, expunged, added, uidNext, numIdx, recordsChanged,
    highestModseq: anyMessageChange ? modseq : b.highestModseq,
    gen: recordsChanged ? b.gen + 1 : b.gen,
    stamps: {
      dirSig: ch.dirSig ?? b.stamps.dirSig, seqSig: ch.seqSig ?? b.stamps.seqSig, racy: ch.racy ?? b.stamps.racy,
    },
  };
}

/** The records walked so far: the new array (null: none yet) and what changed in it. */
interface Walk {
  next: StoredRecord[] | null;
  changedFlags: StoredRecord[];
  changedPlaces: number[];
  renumbered: StoredRecord[];
}

/**
 * The flags of the numbers that may have changed. Only the numbers whose sequence membership
 * changed since the sequences the records were made from (plus the new ones) need their flags
 * worked out again; a pack renumbers all. `only` null: any may have changed.
 */
function flagsToWorkOut(
  b: CommitBase, ch: Changes, expunged: ReadonlySet<number>, renumbered: ReadonlyMap<number, number>,
): { flagsByNum: FlagLookup | null; only: Set<number> | null } {
  if (!ch.seqs) return { flagsByNum: null, only: null };
  let only: Set<number> | null = null;
  let nums: Iterable<number>;
  if (b.lastSeqs && renumbered.size === 0) {
    only = ch.only ? new Set(ch.only) : changedMembers(b.lastSeqs, ch.seqs);
    for (const a of ch.added ?? []) only.add(a.num);
    nums = only;
  } else {
    const all: number[] = [];
    for (const r of b.recs) if (!expunged.has(r.uid)) all.push(renumbered.get(r.uid) ?? r.num);
    for (const a of ch.added ?? []) all.push(a.num);
    nums = all;
  }
  return { flagsByNum: b.flags.flagsByNumber(ch.seqs, nums, b.interner), only };
}

/** The records of a few numbers get their new flags; the array is copied on the first change. */
function walkFew(b: CommitBase, w: Walk, numIdx: NumIndex, nums: Iterable<number>, flagsByNum: FlagLookup, modseq: number): void {
  for (const n of nums) {
    const i = numIdx.find(n);
    if (i < 0) continue;
    const r = b.recs[i];
    const flags = flagsByNum.get(n) ?? r.flags;
    if (flags === r.flags || sameFlags(flags, r.flags)) continue;
    const rec = r.with(n, flags, modseq);
    w.changedFlags.push(rec);
    w.changedPlaces.push(i);
    (w.next ??= b.recs.slice())[i] = rec;
  }
}

/** Every record: the expunged left out, the others renumbered and given their new flags. */
function walkAll(
  b: CommitBase, w: Walk, expunged: ReadonlySet<number>, renumbered: ReadonlyMap<number, number>,
  flagsByNum: FlagLookup | null, modseq: number,
): void {
  const next: StoredRecord[] = (w.next = []);
  for (const r of b.recs) {
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
    if (num !== r.num) w.renumbered.push(rec);
    if (flagsChanged) {
      w.changedFlags.push(rec);
      w.changedPlaces.push(next.length);
    }
    next.push(rec);
  }
}

/**
 * Write a plan in one transaction. `pending`: the rows a former commit left to write later,
 * written first (every row must be there before any is changed or removed). Returns the rows
 * this commit leaves to write later, not started yet (see deferred-rows.ts).
 */
export function writeCommit(ctx: StoreContext, id: number, p: CommitPlan, pending: DeferredRows | null): DeferredRows | null {
  const s = ctx.stmts;
  let later = null as DeferredRows | null;
  ctx.db.transaction(() => {
    pending?.flush();
    for (const uid of p.expunged) {
      s.deleteMessage.run(id, uid);
      s.insertExpunged.run(id, uid, p.modseq);
    }
    for (const r of p.renumbered) s.updateNum.run(r.num, id, r.uid);
    updateFlags(s, id, p.changedFlags, p.modseq, p.changedPlaces);
    if (p.added.length >= DEFERRED_ROWS_MIN) later = new DeferredRows(ctx, id, p.added, p.modseq);
    else insertRecords(s, id, p.added, p.modseq);
    const st = p.stamps;
    s.updateMailboxState.run(p.uidNext, p.highestModseq, st.dirSig, st.seqSig, st.racy ? 1 : 0, p.gen, id);
  })();
  return later;
}
