// RFC822.SIZE counted when first asked for, not when a file is first seen: the CRLF size needs
// every byte of the file, and reading 100,000 files (660 MB) before a first SELECT can answer
// was most of its time, while Dovecot answers from file names. Counted sizes are written back
// to the state database in one transaction per turn of the event loop.
import type { StoreContext } from "./context.js";
import { countFile } from "./file-scan.js";
import { messageFile } from "../mh/folder.js";
import { identKey, type SizeCounter, type StoredRecord } from "./record.js";

export class LazySizes implements SizeCounter {
  private pending = new Map<number, number>(); // uid → CRLF size, not yet in the database
  private flushQueued = false;
  /** sizes were counted since the records' snapshot was last written */
  dirty = false;

  constructor(
    private readonly ctx: StoreContext,
    private readonly mailboxId: number,
    private readonly dir: string,
    /** the file at a record's number is another file now: the folder needs a deep look */
    private readonly onStale: () => void,
  ) {}

  count(rec: StoredRecord): number {
    const f = countFile(messageFile(this.dir, rec.num));
    if (!f || identKey(f.ident) !== rec.identKey()) {
      this.onStale();
      return -1;
    }
    this.pending.set(rec.uid, f.crlfSize);
    this.dirty = true;
    if (!this.flushQueued) {
      this.flushQueued = true;
      setImmediate(() => this.flush());
    }
    return f.crlfSize;
  }

  /** Write the sizes counted so far (also called before the database closes). */
  flush(): void {
    this.flushQueued = false;
    if (this.pending.size === 0) return;
    const entries = [...this.pending];
    this.pending.clear();
    const set = this.ctx.stmts.setCrlfSize;
    try {
      this.ctx.db.transaction(() => {
        for (const [uid, n] of entries) set.run(n, this.mailboxId, uid);
      })();
    } catch (e) {
      // only a cache: counted again next time
      this.ctx.log.warn({ mailbox: this.mailboxId, err: String(e) }, "could not save message sizes");
    }
  }
}
