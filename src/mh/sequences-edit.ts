// Sequences being changed by one read-modify-write of `.mh_sequences`, over the parse of the
// file as read (which readers share and nobody may change). Copying every sequence before a
// change, comparing every sequence afterwards and formatting every line again cost time in
// proportion to the folder, for a STORE of one message. Here a sequence is copied the first time
// it changes, the numbers changed through include/exclude (setMember) are recorded, and what
// was not touched stays the very same Set (so its formatted line and a comparison are skipped).
import type { Sequences } from "./sequences.js";

export class SequencesEdit extends Map<string, Set<number>> {
  private readonly _touched = new Set<number>();
  /** false once a set was handed out to be changed in ways not recorded */
  private exact = true;
  private readonly own = new Set<string>();

  constructor(readonly base: Sequences) {
    super();
    // Map's constructor would call our set(), recording every number
    for (const [name, set] of base) super.set(name, set);
  }

  /**
   * Every number whose membership of some sequence a change touched (all that changed, maybe
   * more), or null when a set was changed through `get` and nobody recorded what changed.
   */
  get touched(): ReadonlySet<number> | null {
    return this.exact ? this._touched : null;
  }

  /** A set of our own to change (copied from the shared one the first time). */
  private mine(name: string): Set<number> | undefined {
    const s = super.get(name);
    if (s === undefined || this.own.has(name)) return s;
    const copy = new Set(s);
    this.own.add(name);
    super.set(name, copy);
    return copy;
  }

  /** Put `n` in sequence `name` (created if missing), recording it. */
  include(name: string, n: number): void {
    const s = super.get(name);
    if (s?.has(n)) return;
    this._touched.add(n);
    if (s === undefined) {
      this.own.add(name);
      super.set(name, new Set([n]));
    } else {
      this.mine(name)!.add(n);
    }
  }

  /** Take `n` out of sequence `name`, recording it. */
  exclude(name: string, n: number): void {
    if (!super.get(name)?.has(n)) return;
    this._touched.add(n);
    this.mine(name)!.delete(n);
  }

  /** The sequence, to change as the caller likes: a copy, and what changes is no longer known. */
  override get(name: string): Set<number> | undefined {
    const s = this.mine(name);
    if (s !== undefined) this.exact = false;
    return s;
  }

  /** The sequence as it is now, without copying it: only to read. */
  peek(name: string): Set<number> | undefined {
    return super.get(name);
  }

  override set(name: string, set: Set<number>): this {
    const old = super.get(name);
    if (old) for (const n of old) this._touched.add(n);
    const copy = new Set(set);
    for (const n of copy) this._touched.add(n);
    this.own.add(name);
    return super.set(name, copy);
  }

  override delete(name: string): boolean {
    const old = super.get(name);
    if (old) for (const n of old) this._touched.add(n);
    this.own.delete(name);
    return super.delete(name);
  }

  override clear(): void {
    for (const name of [...this.keys()]) this.delete(name);
  }

  // whoever walks the sets may change them: hand out copies (correct, not cheap; see peekSeq)
  override *entries(): MapIterator<[string, Set<number>]> {
    for (const name of [...this.keys()]) yield [name, this.get(name)!];
  }

  override *values(): MapIterator<Set<number>> {
    for (const name of [...this.keys()]) yield this.get(name)!;
  }

  override [Symbol.iterator](): MapIterator<[string, Set<number>]> {
    return this.entries();
  }

  override forEach(fn: (value: Set<number>, key: string, map: Map<string, Set<number>>) => void, thisArg?: unknown): void {
    for (const [name, set] of this.entries()) fn.call(thisArg, set, name, this);
  }

  /** Whether anything may have changed (a set handed out through `get` may have). */
  get changed(): boolean {
    return !this.exact || this._touched.size > 0 || this.own.size > 0 || this.size !== this.base.size;
  }

  /** The result as plain sequences, to remember and share (nobody changes it after). */
  frozen(): Sequences {
    const out: Sequences = new Map();
    for (const name of this.keys()) out.set(name, super.get(name)!);
    return out;
  }
}

/** Read a sequence without copying it when `seqs` is an edit. */
export function peekSeq(seqs: Sequences, name: string): Set<number> | undefined {
  return seqs instanceof SequencesEdit ? seqs.peek(name) : seqs.get(name);
}

/** Put `n` in sequence `name` (created if need be) or take it out; untouched if already so. */
export function setMember(seqs: Sequences, name: string, n: number, want: boolean): void {
  if (seqs instanceof SequencesEdit) {
    if (want) seqs.include(name, n);
    else seqs.exclude(name, n);
    return;
  }
  const set = seqs.get(name);
  if (!want) set?.delete(n);
  else if (set) set.add(n);
  else seqs.set(name, new Set([n]));
}

/** Take `n` out of every sequence (or those `which` picks), copying only those that hold it. */
export function removeEverywhere(seqs: Sequences, n: number, which?: (name: string) => boolean): void {
  for (const name of [...seqs.keys()]) {
    if (which && !which(name)) continue;
    if (peekSeq(seqs, name)?.has(n)) setMember(seqs, name, n, false);
  }
}
