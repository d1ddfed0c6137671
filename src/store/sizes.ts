// RFC822.SIZE counted when first asked for, not when a file is first seen: the CRLF size needs
// every byte of the file, and reading 100,000 files (660 MB) before a first SELECT can answer
// was most of its time, while Dovecot answers from file names. Counted sizes are written back
// to the state database in batches (cache-writes-per-turn.ts).
import type { StoreContext } from "./context.js";
import { countFile } from "./file-scan.js";
import { messageFile } from "../mh/folder.js";
import { identKey, type SizeCounter, type StoredRecord } from "./record.js";
import { CacheWritesPerTurn } from "./cache-writes-per-turn.js";

export class LazySizes implements SizeCounter {
  private readonly writes: CacheWritesPerTurn<number>; // uid → CRLF size
  /** sizes were counted since the records' snapshot was last written */
  dirty = false;

  constructor(
    ctx: StoreContext,
    mailboxId: number,
    private readonly dir: string,
    /** the file at a record's number is another file now: the folder needs a deep look */
    private readonly onStale: () => void,
  ) {
    this.writes = new CacheWritesPerTurn(ctx, mailboxId, ctx.stmts.setCrlfSize, "message sizes");
  }

  count(rec: StoredRecord): number {
    const f = countFile(messageFile(this.dir, rec.num));
    if (!f || identKey(f.ident) !== rec.identKey()) {
      this.onStale();
      return -1;
    }
    this.writes.put(rec.uid, f.crlfSize);
    this.dirty = true;
    return f.crlfSize;
  }

  /** Write the sizes counted so far (also called before the database closes). */
  flush(): void {
    this.writes.flush();
  }
}
