// STATUS of a folder: counted by SQLite while nobody selected it (no records built), else from
// the records in memory.
import type { StoreContext } from "./context.js";
import type { MailboxStatus } from "./contract.js";
import type { StoredRecord } from "./record.js";

/** What STATUS reports beside the counts. */
export interface StatusHead { uidNext: number; uidValidity: number; highestModseq: number }

/** From the database's rows; null while some message's size is not counted yet. */
export function countedStatus(ctx: StoreContext, id: number, head: StatusHead): MailboxStatus | null {
  const c = ctx.stmts.statusOf.get(id) as
    { n: number; size: number; unseen: number; deleted: number; deletedBytes: number; unsized: number | null };
  if (c.unsized) return null;
  return {
    messages: c.n, recent: 0, uidNext: head.uidNext, uidValidity: head.uidValidity,
    unseen: c.unseen ?? 0, highestModseq: head.highestModseq, size: c.size, deleted: c.deleted ?? 0,
    deletedStorage: c.deletedBytes,
  };
}

export function recordsStatus(recs: readonly StoredRecord[], head: StatusHead): MailboxStatus {
  let unseen = 0, deleted = 0, deletedStorage = 0;
  for (const r of recs) {
    if (!r.flags.includes("\\Seen")) unseen++;
    if (r.flags.includes("\\Deleted")) {
      deleted++;
      deletedStorage += r.fileSize;
    }
  }
  return {
    messages: recs.length, recent: 0, uidNext: head.uidNext, uidValidity: head.uidValidity,
    unseen, highestModseq: head.highestModseq, deleted, deletedStorage,
    // summed only when read (STATUS SIZE): it may count files whose size nobody asked for yet
    get size() {
      let size = 0;
      for (const r of recs) size += r.size;
      return size;
    },
  };
}
