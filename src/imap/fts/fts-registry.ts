// Which user's full-text index serves a mailbox: SEARCH has the mailbox (its view's), the
// index is the user's; the indexer registers each mailbox the store opens.
import type { Mailbox } from "../../store/contract.js";
import type { SearchKey } from "../../protocol/ast.js";

/** What SEARCH asks of the index (the indexer answers it). */
export interface Narrowing {
  /** The UIDs of `box` that may match `keys` (those it does not hold included), or null when
   *  the index cannot narrow them. */
  narrowing(box: Mailbox, keys: SearchKey[]): Set<number> | null;
}

const byMailbox = new WeakMap<Mailbox, Narrowing>();

export function registerFts(box: Mailbox, fts: Narrowing): void {
  byMailbox.set(box, fts);
}

export function ftsOf(box: Mailbox): Narrowing | undefined {
  return byMailbox.get(box);
}
