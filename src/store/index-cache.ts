// The message model's index of each message, cached in the state database (written in batches,
// see turn-batch.ts).
import type { MimeIndex } from "../message/types.js";
import type { StoreContext } from "./context.js";
import { INDEX_VERSION } from "./message-index.js";
import { TurnBatch } from "./turn-batch.js";

export class IndexCache {
  private readonly writes: TurnBatch<string>; // uid → JSON

  constructor(private readonly ctx: StoreContext, private readonly mailboxId: number) {
    this.writes = new TurnBatch(ctx, mailboxId, ctx.stmts.setIndex, "message indexes");
  }

  /** The cached index of this UID if it was made by the current message model. */
  get(uid: number): MimeIndex | null {
    const json = this.writes.get(uid) ?? (this.ctx.stmts.getIndex.get(this.mailboxId, uid) as string | null | undefined);
    if (!json) return null;
    const idx = JSON.parse(json) as MimeIndex;
    return idx.v === INDEX_VERSION ? idx : null;
  }

  put(uid: number, idx: MimeIndex): void {
    this.writes.put(uid, JSON.stringify(idx));
  }

  /** Write what is queued (also called before the database closes). */
  flush(): void {
    this.writes.flush();
  }
}
