// The rows of a large batch of new messages (a first look at a big folder, a big `inc`) are
// written after the answer, a slice per event-loop turn: at 100,000 messages the insert was a
// third of a cold SELECT. The UIDs are already handed out by then, so a crash before the last
// row is in must not let them be handed out again to other messages: a marker in `meta`,
// committed with the new UIDNEXT and removed with the last row, makes the next open give the
// folder a new UIDVALIDITY (clients then forget what they cached, as they must).
import { forgetMessages, type StoreContext } from "./context.js";
import { insertRecords } from "./message-rows.js";
import { nextUidValidity } from "./db.js";
import type { StoredRecord } from "./record.js";

/** from this many new messages in one commit, their rows are written later */
export const DEFERRED_ROWS_MIN = 2000;
/** rows per event-loop turn (≈10 ms) */
const SLICE = 4000;

const markerKey = (mailboxId: number) => `rows-pending:${mailboxId}`;

export class DeferredRows {
  private done = 0;
  private queued = false;
  private stopped = false;

  /** Call inside the transaction that commits the new UIDNEXT. */
  constructor(
    private readonly ctx: StoreContext,
    private readonly mailboxId: number,
    private readonly recs: readonly StoredRecord[],
    private readonly modseq: number,
  ) {
    ctx.db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES (?, '1')").run(markerKey(mailboxId));
  }

  get pending(): boolean {
    return !this.stopped && this.done < this.recs.length;
  }

  /** Write the next slices in later turns. */
  start(): void {
    if (this.queued || !this.pending) return;
    this.queued = true;
    setImmediate(() => {
      this.queued = false;
      if (!this.pending) return;
      try {
        this.ctx.db.transaction(() => this.write(SLICE))();
      } catch (e) {
        // the marker stays: the next open starts the folder afresh
        this.ctx.log.warn({ mailboxId: this.mailboxId, err: String(e) }, "could not write message rows");
        this.stopped = true;
        return;
      }
      this.start();
    });
  }

  /** Write every row still missing (inside a transaction of the caller's, or in one of its own). */
  flush(): void {
    if (!this.pending) return;
    if (this.ctx.db.inTransaction) this.write(Infinity);
    else this.ctx.db.transaction(() => this.write(Infinity))();
  }

  private write(max: number): void {
    const end = Math.min(this.recs.length, this.done + max);
    insertRecords(this.ctx.stmts, this.mailboxId, this.recs.slice(this.done, end), this.modseq);
    this.done = end;
    if (this.done === this.recs.length) {
      this.ctx.db.prepare("DELETE FROM meta WHERE key = ?").run(markerKey(this.mailboxId));
    }
  }
}

/**
 * At open: a folder whose rows were not all written (the process died first) starts afresh with
 * a new UIDVALIDITY; its messages get UIDs again on the next look. Returns whether it did.
 */
export function recoverUnwrittenRows(ctx: StoreContext, mailboxId: number): boolean {
  const key = markerKey(mailboxId);
  if (ctx.db.prepare("SELECT 1 FROM meta WHERE key = ?").get(key) === undefined) return false;
  ctx.db.transaction(() => {
    forgetMessages(ctx, mailboxId);
    ctx.db.prepare(
      `UPDATE mailboxes SET uidvalidity = ?, uidnext = 1, dir_sig = NULL, seq_sig = NULL, racy = 1, gen = gen + 1
       WHERE id = ?`,
    ).run(nextUidValidity(ctx.db), mailboxId);
    ctx.db.prepare("DELETE FROM meta WHERE key = ?").run(key);
  })();
  ctx.log.warn({ mailboxId }, "message rows of a first look were not all written: the folder gets a new UIDVALIDITY");
  return true;
}
