// Which user's full-text index serves a mailbox: SEARCH has the mailbox (its view's), the
// index is the user's; the indexer registers each mailbox the store opens.
import type { Mailbox } from "../../store/contract.js";
import type { SearchKey } from "../../protocol/ast.js";
import type { FtsAnswer } from "./fts-index.js";

/** What SEARCH asks of the index (the indexer answers it). */
export interface Narrowing {
  /** What the index tells a SEARCH of `box` with `keys`, or null: nothing. */
  narrowing(box: Mailbox, keys: SearchKey[]): FtsAnswer | null;
}

const byMailbox = new WeakMap<Mailbox, Narrowing>();

export function registerFts(box: Mailbox, fts: Narrowing): void {
  byMailbox.set(box, fts);
}

export function ftsOf(box: Mailbox): Narrowing | undefined {
  return byMailbox.get(box);
}
