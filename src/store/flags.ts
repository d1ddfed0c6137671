// IMAP flags ↔ MH sequences, with the old asimap's names so existing stores keep their flags.
// `\Seen` is the absence from the user's unseen sequence(s); MH's own sequences and the old
// server's `Seen`/`Recent` are never shown to clients.
import { isValidSequenceName, type Sequences } from "../mh/sequences.js";
import { StoreError, type Flag } from "./types.js";

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
   * Flags of every message number, each list sorted, from the sequences. The flags are visited
   * in sorted order, so every list comes out sorted without sorting 100,000 small arrays.
   */
  flagsByNumber(seqs: Sequences, nums: Iterable<number>): Map<number, Flag[]> {
    const pairs: Array<[Flag, Set<number> | null]> = [["\\Seen", null]];
    for (const [name, set] of seqs) {
      const flag = this.flagOf(name);
      if (flag !== null && set.size > 0) pairs.push([flag, set]);
    }
    pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const unseen = this.unseen.map((n) => seqs.get(n)).filter((x): x is Set<number> => x !== undefined);
    const out = new Map<number, Flag[]>();
    for (const n of nums) out.set(n, []);
    for (const [flag, set] of pairs) {
      if (set === null) {
        for (const [n, l] of out) if (!unseen.some((u) => u.has(n))) l.push(flag);
        continue;
      }
      for (const n of set) {
        const l = out.get(n);
        if (l && l[l.length - 1] !== flag) l.push(flag);
      }
    }
    return out;
  }

  /** Put message `n` in or out of the sequences for `flags`. */
  apply(seqs: Sequences, n: number, op: "add" | "remove" | "replace", flags: Flag[]): void {
    const targets = flags.map((f) => this.sequenceOf(f));
    if (op === "replace") {
      for (const [name, set] of seqs) if (this.flagOf(name) !== null) set.delete(n);
      if (!targets.includes("\\Seen")) this.markUnseen(seqs, n, true);
    }
    for (const t of targets) {
      const add = op !== "remove";
      if (t === "\\Seen") {
        this.markUnseen(seqs, n, !add);
        continue;
      }
      let set = seqs.get(t);
      if (add) {
        if (!set) seqs.set(t, (set = new Set()));
        set.add(n);
      } else {
        set?.delete(n);
      }
    }
  }

  private markUnseen(seqs: Sequences, n: number, unseen: boolean): void {
    for (const name of this.unseen) {
      let set = seqs.get(name);
      if (unseen) {
        if (!set) seqs.set(name, (set = new Set()));
        set.add(n);
      } else {
        set?.delete(n);
      }
    }
  }
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

export function sameFlags(a: readonly Flag[], b: readonly Flag[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
