// SORT / UID SORT (RFC 5256): the search keys pick the messages, the sort keys order them;
// everything comes from the store's records and the cached index (no message file is read).
import type { SelectedContext } from "../context.js";
import type { SearchKey } from "../../protocol/ast.js";
import type { MailboxView } from "../view.js";
import { ok, no, type Result, type CommandOf } from "../result.js";
import { runSearch } from "./search.js";
import { sortItem, sortItems, type SortItem } from "../search/sort-order.js";
import { messageCache } from "../message-cache.js";
import { codes, sortResponse } from "../../protocol/responses.js";

export const CHARSETS = ["UTF-8", "US-ASCII"];

export function badCharset(charset: string): Result | null {
  return CHARSETS.includes(charset.toUpperCase())
    ? null
    : no(`Unsupported charset ${charset}.`, codes.badCharset(CHARSETS));
}

/** The messages matching `keys`, with what SORT and THREAD need of each. */
export async function matchingItems(view: MailboxView, keys: SearchKey[]): Promise<SortItem[]> {
  const out: SortItem[] = [];
  for (const rec of await runSearch(view, keys)) {
    const seq = view.seqOf(rec.uid);
    if (!seq) continue;
    try {
      out.push(sortItem(rec, seq, await messageCache.index(view.mailbox, rec.uid)));
    } catch (e) {
      // expunged between the search and now: it is no longer there to sort
      if ((e as NodeJS.ErrnoException).code === "ENOENT") continue;
      throw e;
    }
  }
  return out;
}

export async function sort(s: SelectedContext, cmd: CommandOf<"SORT">): Promise<Result> {
  const refused = badCharset(cmd.charset);
  if (refused) return refused;
  const items = sortItems(await matchingItems(s.view, cmd.keys), cmd.criteria);
  const nums = items.map((i) => (cmd.uid ? i.uid : i.seq));
  await s.send(sortResponse(nums));
  return ok("Sort completed.");
}
