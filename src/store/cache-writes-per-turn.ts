// Per-message values the store caches in the state database (MIME indexes, counted sizes),
// written in one transaction per turn of the event loop: one autocommit UPDATE per message (a
// transaction, its WAL write and locks each) was a quarter of a first SEARCH TEXT over 10,000.
import type { Statement } from "better-sqlite3";
import type { StoreContext } from "./context.js";

export class CacheWritesPerTurn<V> {
  private pending = new Map<number, V>(); // uid → value, not yet in the database
  private flushQueued = false;

  constructor(
    private readonly ctx: StoreContext,
    private readonly mailboxId: number,
    /** `UPDATE ... SET <column> = ? WHERE mailbox_id = ? AND uid = ?` */
    private readonly update: Statement,
    /** for the log line when a write fails (the values are only a cache: made again later) */
    private readonly what: string,
  ) {}

  /** A value queued and not yet written. */
  get(uid: number): V | undefined {
    return this.pending.get(uid);
  }

  put(uid: number, value: V): void {
    this.pending.set(uid, value);
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
    try {
      this.ctx.db.transaction(() => {
        for (const [uid, v] of entries) this.update.run(v, this.mailboxId, uid);
      })();
    } catch (e) {
      this.ctx.log.warn({ mailbox: this.mailboxId, err: String(e) }, `could not save ${this.what}`);
    }
  }
}
