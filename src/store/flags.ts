// IMAP flags ↔ MH sequences, with the old asimap's names so existing stores keep their flags.
// `\Seen` is the absence from the user's unseen sequence(s); MH's own sequences and the old
// server's `Seen`/`Recent` are never shown to clients.
import { isValidSequenceName, type Sequences } from "../mh/sequences.js";
import { removeEverywhere, setMember } from "../mh/sequences-edit.js";
import type { FlagInterner } from "./record.js";
import { StoreError, type Flag } from "./contract.js";

const SYSTEM_TO_SEQ: Record<string, string> = {
  "\\answered": "replied",
  "\\flagged": "flagged",
  "\\deleted": "Deleted",
  "\\draft": "Draft",
};
const SEQ_TO_SYSTEM: Record<string, string> = {
  replied: "\\Answered",
  flagged: "\\Flagged",
  Deleted: "\\Deleted",
  Draft: "\\Draft",
};

export class FlagMap {
  /** sequences that are not flags: MH's own, the unseen ones, and the old server's Seen/Recent */
  readonly hidden: Set<string>;
  constructor(readonly unseen: string[]) {
    this.hidden = new Set(["cur", "unseen", "Seen", "Recent", ...unseen]);
  }

  /** The sequence a flag lives in, or "\\Seen". StoreError CANNOT for flags MH cannot hold. */
  sequenceOf(flag: Flag): string {
    if (flag.startsWith("\\")) {
      const lower = flag.toLowerCase();
      if (lower === "\\seen") return "\\Seen";
      const seq = SYSTEM_TO_SEQ[lower];
      if (seq === undefined) throw new StoreError("CANNOT", `flag ${flag} cannot be stored`);
      return seq;
    }
    if (!isValidSequenceName(flag) || this.hidden.has(flag) || flag in SEQ_TO_SYSTEM) {
      throw new StoreError("CANNOT", `keyword ${JSON.stringify(flag)} cannot be stored as an MH sequence`);
    }
    return flag;
  }

  flagOf(seq: string): Flag | null {
    // a name like `\seen` (the old server stored unknown system flags raw) is no keyword
    if (this.hidden.has(seq) || seq.startsWith("\\")) return null;
    return SEQ_TO_SYSTEM[seq] ?? seq;
  }

  /**
   * Flags of every message number, from the sequences: each list sorted and interned, so the
   * messages with the same flags share one array. Each number gets a bit mask of its flags
   * (one lookup per number and sequence, so a few numbers cost little however long the
   * sequences are), and each distinct mask becomes one list.
   */
  flagsByNumber(seqs: Sequences, nums: Iterable<number>, interner: FlagInterner): FlagLookup {
    const pairs: Array<[Flag, Set<number> | null]> = [["\\Seen", null]];
    for (const [name, set] of seqs) {
      const flag = this.flagOf(name);
      if (flag !== null && set.size > 0) pairs.push([flag, set]);
    }
    // two sequences may name one flag (e.g. the same keyword twice): one bit per distinct flag
    const names = [...new Set(pairs.map((p) => p[0]))].sort();
    if (names.length > 30) return this.flagsByNumberSlow(pairs, names, seqs, nums, interner);
    const bit = new Map(names.map((f, i) => [f, 1 << i]));
    const unseen = this.unseen.map((n) => seqs.get(n)).filter((x): x is Set<number> => x !== undefined);
    const seen = bit.get("\\Seen")!;
    const members: Array<[number, Set<number>]> = [];
    for (const [flag, set] of pairs) if (set !== null) members.push([bit.get(flag)!, set]);
    // many numbers (a first open, a pack, a STORE of thousands): walk the sequences instead
    const many = Array.isArray(nums) ? nums.length >= DENSE_MIN : nums instanceof Set && nums.size >= DENSE_MIN;
    const list = many ? (Array.isArray(nums) ? (nums as number[]) : [...nums]) : null;
    if (list) {
      const dense = denseFlags(list, seen, unseen, members, names, interner);
      if (dense) return dense;
    }
    const masks = new Map<number, number>();
    for (const n of nums) {
      let m = seen;
      for (const s of unseen) if (s.has(n)) { m = 0; break; }
      for (const [b, s] of members) if (s.has(n)) m |= b;
      masks.set(n, m);
    }
    const lists = new Map<number, Flag[]>();
    const out = new Map<number, Flag[]>();
    for (const [n, m] of masks) {
      let l = lists.get(m);
      if (!l) {
        const fl: Flag[] = [];
        for (let i = 0; i < names.length; i++) if (m & (1 << i)) fl.push(names[i]);
        lists.set(m, (l = interner.intern(fl)));
      }
      out.set(n, l);
    }
    return out;
  }

  /** More than 30 distinct flags in one folder: a list per message, then interned. */
  private flagsByNumberSlow(
    pairs: Array<[Flag, Set<number> | null]>, names: Flag[], seqs: Sequences, nums: Iterable<number>,
    interner: FlagInterner,
  ): FlagLookup {
    const unseen = this.unseen.map((n) => seqs.get(n)).filter((x): x is Set<number> => x !== undefined);
    const members = new Map<Flag, Array<Set<number>>>();
    for (const [flag, set] of pairs) if (set) members.set(flag, [...(members.get(flag) ?? []), set]);
    const out = new Map<number, Flag[]>();
    for (const n of nums) {
      const fl: Flag[] = [];
      for (const f of names) {
        if (f === "\\Seen" ? !unseen.some((u) => u.has(n)) : members.get(f)!.some((s) => s.has(n))) fl.push(f);
      }
      out.set(n, interner.intern(fl));
    }
    return out;
  }

  /**
   * Put message `n` in or out of the sequences for `flags`. Given a copy-on-write edit
   * (sequences-edit.ts), only the sequences that change are copied, and the change is recorded.
   */
  apply(seqs: Sequences, n: number, op: "add" | "remove" | "replace", flags: Flag[]): void {
    const targets = flags.map((f) => this.sequenceOf(f));
    if (op === "replace") {
      removeEverywhere(seqs, n, (name) => this.flagOf(name) !== null);
      if (!targets.includes("\\Seen")) this.markUnseen(seqs, n, true);
    }
    for (const t of targets) {
      const add = op !== "remove";
      if (t === "\\Seen") this.markUnseen(seqs, n, !add);
      else setMember(seqs, t, n, add);
    }
  }

  private markUnseen(seqs: Sequences, n: number, unseen: boolean): void {
    for (const name of this.unseen) setMember(seqs, name, n, unseen);
  }
}

/** Flags by message number (a Map, or an array by number for a whole large folder). */
export interface FlagLookup { get(num: number): Flag[] | undefined }

/** from this many numbers on, flags of a whole folder are worked out by walking the sequences */
const DENSE_MIN = 4096;

/**
 * Flags of many numbers at once (a first open, a pack): a mask per number in a typed array,
 * filled by walking each sequence once, instead of asking every sequence about every number
 * (100,000 × sequences Set lookups, and two 100,000-entry Maps). Null when the numbers are too
 * sparse for an array indexed by number.
 */
function denseFlags(
  nums: readonly number[], seen: number, unseen: Array<Set<number>>, members: Array<[number, Set<number>]>,
  names: Flag[], interner: FlagInterner,
): FlagLookup | null {
  let max = 0;
  for (const n of nums) if (n > max) max = n;
  if (max > 4 * nums.length + 1024) return null;
  const masks = new Uint32Array(max + 1).fill(seen);
  for (const set of unseen) for (const n of set) if (n <= max) masks[n] &= ~seen;
  for (const [b, set] of members) for (const n of set) if (n <= max) masks[n] |= b;
  const lists = new Map<number, Flag[]>();
  return {
    get(num) {
      if (num > max || num < 1) return undefined;
      const m = masks[num];
      let l = lists.get(m);
      if (!l) {
        const fl: Flag[] = [];
        for (let i = 0; i < names.length; i++) if (m & (1 << i)) fl.push(names[i]);
        lists.set(m, (l = interner.intern(fl)));
      }
      return l;
    },
  };
}

/** Canonical spelling of a flag list: system flags capitalised, sorted, no duplicates. */
export function normaliseFlags(flags: Flag[]): Flag[] {
  const out = new Set<Flag>();
  for (const f of flags) {
    if (f.startsWith("\\")) out.add("\\" + f.charAt(1).toUpperCase() + f.slice(2).toLowerCase());
    else out.add(f);
  }
  return [...out].sort();
}

/** A flag list after a STORE of `flags` with `op` (canonical spelling, sorted). */
export function storedFlags(current: Flag[], op: "add" | "remove" | "replace", flags: Flag[]): Flag[] {
  const change = normaliseFlags(flags);
  if (op === "replace") return change;
  if (op === "add") return normaliseFlags([...current, ...change]);
  return current.filter((f) => !change.includes(f));
}

export function sameFlags(a: readonly Flag[], b: readonly Flag[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Message numbers whose membership differs between two versions of the sequences. */
export function changedMembers(before: Sequences, after: Sequences): Set<number> {
  const out = new Set<number>();
  const diff = (a: Set<number> | undefined, b: Set<number> | undefined) => {
    if (a === b || !a) return;
    for (const n of a) if (!b?.has(n)) out.add(n);
  };
  for (const [name, set] of after) diff(set, before.get(name));
  for (const [name, set] of before) diff(set, after.get(name));
  return out;
}
