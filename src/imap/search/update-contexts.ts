// The UPDATE contexts of one session (RFC 5267 §4.3): each `SEARCH/SORT RETURN (UPDATE ...)`
// keeps its matching UIDs in the requested order, and whenever the view tells the client of a
// change (its flush: our commands, other sessions, nmh behind our back) the messages it names are
// tested again and the differences go out as ADDTO and REMOVEFROM. Only UIDs are held, never
// messages; a SORT context finds a new member's place by comparing it with members it looks up.
import type { SearchKey } from "../../protocol/ast.js";
import { esearchResponse, type EsearchItem } from "../../protocol/responses.js";
import { firstAtLeast, type MailboxView, type ViewChanges } from "../view.js";
import { asSet } from "./number-set.js";
import { TimeSlice } from "../time-slice.js";

/** A message's place in SORT order against another's (by UID); SEARCH contexts have none. */
export type UidOrder = (a: number, b: number) => Promise<number>;

export interface UpdateContext {
  /** the searching command's tag: the ESEARCH correlator */
  tag: string;
  /** UID SEARCH / UID SORT: UIDs in the updates, else sequence numbers */
  uid: boolean;
  /** the matching UIDs in the requested order (ascending for SEARCH) */
  members: number[];
  /** whether the message matches the search program now */
  matches: (uid: number) => Promise<boolean>;
  /** SORT's order; null for SEARCH, whose updates use context position 0 (mailbox order) */
  order: UidOrder | null;
}

/** The lines an update sends: `before` the view's own lines (REMOVEFROM of expunged messages must
 *  precede their EXPUNGE, RFC 5267 §4.3.4), `after` them (ADDTO after EXISTS, §4.3.3). */
export interface UpdateLines {
  before: string[];
  after: string[];
}

/** How many UPDATE contexts one session may hold, and how many UIDs in all (a context on a
 *  folder of a million messages holds a million); more are refused with NOUPDATE (§4.3.1). */
export const MAX_CONTEXTS = 32;
export const MAX_HELD_UIDS = 1_000_000;

/**
 * The search program with its sequence numbers made UIDs: they are evaluated when the command
 * is received, and later renumbering changes nothing (RFC 5267 §4.3, after RFC 3501's errata).
 */
export function pinSequences(view: MailboxView, keys: readonly SearchKey[]): SearchKey[] {
  const pin = (k: SearchKey): SearchKey => {
    switch (k.kind) {
      case "SEQ": return { kind: "UID", set: asSet(view.resolveSeq(k.set, true)) };
      case "NOT": return { ...k, key: pin(k.key) };
      case "OR": return { ...k, left: pin(k.left), right: pin(k.right) };
      case "AND": return { ...k, keys: k.keys.map(pin) };
      default: return k;
    }
  };
  return keys.map(pin);
}

/** Pairs of (context position, numbers) as ADDTO/REMOVEFROM carry them, runs merged. */
class Pairs {
  readonly list: Array<[number, number[]]> = [];
  /** `num` at `pos`; `step` 1 when the next one at pos + 1 continues the run (ADDTO), 0 when
   *  it is at the same position (REMOVEFROM: the rest moved up). */
  push(pos: number, num: number, step: 0 | 1): void {
    const last = this.list[this.list.length - 1];
    const joins = last && (pos === 0 ? last[0] === 0 : last[0] + step * last[1].length === pos);
    if (joins) last[1].push(num);
    else this.list.push([pos, [num]]);
  }
}

/** Index of the first member that sorts after `uid` (binary search with the async order). */
async function insertionPoint(members: readonly number[], uid: number, order: UidOrder): Promise<number> {
  let lo = 0, hi = members.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((await order(members[mid], uid)) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class SearchUpdates {
  private readonly contexts = new Map<string, UpdateContext>();

  constructor(private readonly limits = { contexts: MAX_CONTEXTS, uids: MAX_HELD_UIDS }) {}

  get active(): boolean {
    return this.contexts.size > 0;
  }
  has(tag: string): boolean {
    return this.contexts.has(tag);
  }
  /** false when the session holds as many contexts, or UIDs, as it may (the client gets NOUPDATE) */
  add(ctx: UpdateContext): boolean {
    if (this.contexts.size >= this.limits.contexts) return false;
    let held = ctx.members.length;
    for (const c of this.contexts.values()) held += c.members.length;
    if (held > this.limits.uids) return false;
    this.contexts.set(ctx.tag, ctx);
    return true;
  }
  /** CANCELUPDATE: the tags that named no context (nothing is cancelled then) */
  unknown(tags: readonly string[]): string[] {
    return tags.filter((t) => !this.contexts.has(t));
  }
  cancel(tags: readonly string[]): void {
    for (const t of tags) this.contexts.delete(t);
  }
  /** the mailbox is no longer selected: updates cease (§4.3) */
  clear(): void {
    this.contexts.clear();
  }

  /** The ESEARCH updates for what the view's flush just told the client. */
  async lines(view: MailboxView, changes: ViewChanges): Promise<UpdateLines> {
    const out: UpdateLines = { before: [], after: [] };
    if (!this.active) return out;
    const gone = new Map(changes.expunged.map((e) => [e.uid, e.seq]));
    const retest = [...new Set([...changes.added, ...changes.touched])].filter((u) => !gone.has(u)).sort((a, b) => a - b);
    const slice = new TimeSlice();
    for (const ctx of [...this.contexts.values()]) {
      if (gone.size) {
        const removed = this.remove(ctx, (u) => gone.has(u), (u) => (ctx.uid ? u : gone.get(u)!));
        if (removed) out.before.push(esearchResponse(ctx.tag, ctx.uid, [["REMOVEFROM", removed]]));
      }
      if (!retest.length) continue;
      const now = new Map<number, boolean>();
      for (const u of retest) {
        // a STORE 1:* re-tests every message: the user's other sessions are served meanwhile
        if (slice.due()) await slice.next();
        try {
          now.set(u, await ctx.matches(u));
        } catch (e) {
          // the message went away meanwhile: its expunge, when announced, settles it
          if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
        }
      }
      if (!this.contexts.has(ctx.tag)) continue; // cancelled meanwhile
      const num = (u: number) => (ctx.uid ? u : view.seqOf(u));
      const members = new Set(ctx.members);
      // removals, then additions, in one response as Dovecot writes them (processed in order)
      const items: EsearchItem[] = [];
      const removed = this.remove(ctx, (u) => now.get(u) === false, num);
      if (removed) items.push(["REMOVEFROM", removed]);
      const added = new Pairs();
      for (const u of retest) {
        if (now.get(u) !== true || members.has(u) || !view.seqOf(u)) continue;
        const at = ctx.order ? await insertionPoint(ctx.members, u, ctx.order) : firstAtLeast(ctx.members, u);
        ctx.members.splice(at, 0, u);
        added.push(ctx.order ? at + 1 : 0, num(u), 1);
      }
      if (added.list.length) items.push(["ADDTO", added.list]);
      if (items.length) out.after.push(esearchResponse(ctx.tag, ctx.uid, items));
    }
    return out;
  }

  /** Takes the members `leaves` out of the context; the REMOVEFROM pairs, or null for none. */
  private remove(ctx: UpdateContext, leaves: (uid: number) => boolean, num: (uid: number) => number):
    Array<[number, number[]]> | null {
    const pairs = new Pairs();
    const kept: number[] = [];
    for (const u of ctx.members) {
      if (!leaves(u)) kept.push(u);
      // the position a removal names is the message's after the removals before it
      else pairs.push(ctx.order ? kept.length + 1 : 0, num(u), 0);
    }
    if (!pairs.list.length) return null;
    ctx.members = kept;
    return pairs.list;
  }
}
