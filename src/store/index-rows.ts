// The persistence of parsed messages: each message's MIME index as a row of the state database
// (written in batches, see cache-writes-per-turn.ts), so a new process does not read and parse
// the file again. Nothing is kept parsed here: the one cache of parsed messages, which readers
// ask, is the engine's (src/imap/message-cache.ts); it loads an index through Mailbox.index.
import type { MimeIndex } from "../message/model.js";
import type { StoreContext } from "./context.js";
import { INDEX_VERSION } from "./message-index.js";
import { CacheWritesPerTurn } from "./cache-writes-per-turn.js";

export class IndexRows {
  private readonly writes: CacheWritesPerTurn<string>; // uid → JSON

  constructor(private readonly ctx: StoreContext, private readonly mailboxId: number) {
    this.writes = new CacheWritesPerTurn(ctx, mailboxId, ctx.stmts.setIndex, "message indexes");
  }

  /** The stored index of this UID if it was made by the current message model. */
  get(uid: number): MimeIndex | null {
    const json = this.writes.get(uid) ?? (this.ctx.stmts.getIndex.get(this.mailboxId, uid) as string | null | undefined);
    if (!json) return null;
    const idx = JSON.parse(json) as MimeIndex;
    // an index cached before the content digest existed is made again once (EMAILID needs it)
    return idx.v === INDEX_VERSION && idx.digest !== undefined ? idx : null;
  }

  put(uid: number, idx: MimeIndex): void {
    this.writes.put(uid, JSON.stringify(idx));
  }

  /** Write what is queued (also called before the database closes). */
  flush(): void {
    this.writes.flush();
  }
}
