// SORT / UID SORT (RFC 5256): the search keys pick the messages, the sort keys order them;
// everything comes from the store's records and the cached index (no message file is read).
// With RETURN (...) the answer is ESEARCH (ESORT, RFC 5267 §3): MIN, MAX, ALL and PARTIAL in
// the sort order; UPDATE keeps a context whose new members are placed by the same order.
import type { SelectedContext } from "../context.js";
import type { SearchKey, SortCriterion } from "../../protocol/ast.js";
import type { MessageRecord } from "../../store/contract.js";
import type { MailboxView } from "../view.js";
import { ok, no, type Result, type CommandOf } from "../result.js";
import { hasModseq, messageMatches, runSearch, startUpdates, returnRefused } from "./search.js";
import { compareItems, sortItem, sortItems, type SortItem } from "../search/sort-order.js";
import { esearchLine, savedUids } from "../search/esearch.js";
import { pinSequences, type UidOrder } from "../search/update-contexts.js";
import { messageCache } from "../message-cache.js";
import { codes, sortResponse } from "../../protocol/responses.js";

export const CHARSETS = ["UTF-8", "US-ASCII"];

export function badCharset(charset: string): Result | null {
  return CHARSETS.includes(charset.toUpperCase())
    ? null
    : no(`Unsupported charset ${charset}.`, codes.badCharset(CHARSETS));
}

/** What SORT and THREAD need of one message of the view, or null when it is gone. */
async function itemOf(view: MailboxView, rec: MessageRecord): Promise<SortItem | null> {
  const seq = view.seqOf(rec.uid);
  if (!seq) return null;
  try {
    return sortItem(rec, seq, await messageCache.index(view.mailbox, rec.uid));
  } catch (e) {
    // expunged between the search and now: it is no longer there to sort
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw e;
  }
}

/** The messages matching `keys`, with what SORT and THREAD need of each. */
export async function matchingItems(view: MailboxView, keys: SearchKey[]): Promise<SortItem[]> {
  const out: SortItem[] = [];
  for (const rec of await runSearch(view, keys)) {
    const item = await itemOf(view, rec);
    if (item) out.push(item);
  }
  return out;
}

/** SORT order between two messages of the view by UID (an UPDATE context's insertions); a
 *  message gone meanwhile sorts last. */
function uidOrder(view: MailboxView, criteria: readonly SortCriterion[]): UidOrder {
  const compare = compareItems(criteria);
  const item = async (uid: number) => {
    const rec = view.record(uid);
    return rec ? itemOf(view, rec) : null;
  };
  return async (a, b) => {
    const [x, y] = await Promise.all([item(a), item(b)]);
    if (!x || !y) return x ? -1 : y ? 1 : a - b;
    return compare(x, y);
  };
}

export async function sort(s: SelectedContext, cmd: CommandOf<"SORT">): Promise<Result> {
  const refused = badCharset(cmd.charset) ?? returnRefused(s, cmd.tag, cmd.return);
  if (refused) return refused;
  const view = s.view;
  const ret = cmd.return;
  const updating = ret?.includes("UPDATE") ?? false;
  const keys = updating ? pinSequences(view, cmd.keys) : cmd.keys;
  const items = sortItems(await matchingItems(view, keys), cmd.criteria);
  const num = (i: { uid: number; seq: number }) => (cmd.uid ? i.uid : i.seq);
  if (!ret) {
    await s.send(sortResponse(items.map(num)));
    return ok("Sort completed.");
  }
  const recs = items.map((i) => view.record(i.uid)).filter((r): r is MessageRecord => r !== undefined);
  if (ret.includes("SAVE")) s.saved = savedUids(ret, recs);
  const line = esearchLine(cmd.tag, cmd.uid, ret, { recs, num: (r) => (cmd.uid ? r.uid : view.seqOf(r.uid)) },
    cmd.keys.some(hasModseq));
  if (line) await s.send(line);
  if (updating) {
    await startUpdates(s, {
      tag: cmd.tag, uid: cmd.uid, members: recs.map((r) => r.uid), order: uidOrder(view, cmd.criteria),
      matches: (uid) => messageMatches(view, uid, keys),
    });
  }
  return ok("Sort completed.");
}
