// The message model's index of each message, cached in the state database. Writes are queued
// and made in one transaction per turn of the event loop: one autocommit UPDATE per message
// (a transaction, its WAL write and locks each) was a quarter of a first SEARCH TEXT over 10,000.
import type { MimeIndex } from "../message/types.js";
import type { StoreContext } from "./context.js";
import { INDEX_VERSION } from "./message-index.js";

export class IndexCache {
  private pending = new Map<number, string>(); // uid → JSON, not yet in the database
  private flushQueued = false;

  constructor(private readonly ctx: StoreContext, private readonly mailboxId: number) {}

  /** The cached index of this UID if it was made by the current message model. */
  get(uid: number): MimeIndex | null {
    const json = this.pending.get(uid) ?? (this.ctx.stmts.getIndex.get(this.mailboxId, uid) as string | null | undefined);
    if (!json) return null;
    const idx = JSON.parse(json) as MimeIndex;
    return idx.v === INDEX_VERSION ? idx : null;
  }

  put(uid: number, idx: MimeIndex): void {
    this.pending.set(uid, JSON.stringify(idx));
    if (!this.flushQueued) {
      this.flushQueued = true;
      setImmediate(() => this.flush());
    }
  }

  /** Write what is queued (also called before the database closes). */
  flush(): void {
    this.flushQueued = false;
    if (this.pending.size === 0) return;
    const entries = [...this.pending];
    this.pending.clear();
    const set = this.ctx.stmts.setIndex;
    try {
      this.ctx.db.transaction(() => {
        for (const [uid, json] of entries) set.run(json, this.mailboxId, uid);
      })();
    } catch (e) {
      // only a cache: made again next time
      this.ctx.log.warn({ mailbox: this.mailboxId, err: String(e) }, "could not save message indexes");
    }
  }
}
