// Which user's full-text index serves a mailbox: SEARCH has the mailbox (its view's), the
// index is the user's; the indexer registers each mailbox the store opens.
import type { Mailbox } from "../../store/contract.js";
import type { FtsIndexer } from "./fts-indexer.js";

const byMailbox = new WeakMap<Mailbox, FtsIndexer>();

export function registerFts(box: Mailbox, fts: FtsIndexer): void {
  byMailbox.set(box, fts);
}

export function ftsOf(box: Mailbox): FtsIndexer | undefined {
  return byMailbox.get(box);
}
