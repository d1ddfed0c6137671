// A folder's message files, read for a UID: each open checks the file is still the one the
// record names (inode, size, mtime); one replaced or edited behind our back is a different
// message, so the folder is looked at again and the UID reported as expunged.
import type { promises as fsp } from "node:fs";
import { messageFile } from "../mh/folder.js";
import type { MimeIndex } from "../message/model.js";
import { openIfSame, openIfSameAsync, readIfSame, readIfSameAsync, yieldIfSliceDone } from "./file-scan.js";
import type { IndexCache } from "./index-cache.js";
import { indexMessage } from "./message-index.js";
import type { StoredRecord } from "./record.js";
import { StoreError } from "./contract.js";

/** larger files are read with asynchronous calls, so one read never holds the event loop long */
const SYNC_READ_MAX = 1 << 20;

export class MessageFiles {
  constructor(
    private readonly dir: string,
    private readonly indexes: IndexCache,
    /** the record of a UID, or undefined */
    private readonly find: (uid: number) => StoredRecord | undefined,
    /** a deep look at the folder, which reports the changed file */
    private readonly resync: () => Promise<void>,
  ) {}

  private rec(uid: number): StoredRecord {
    const r = this.find(uid);
    if (!r) throw new StoreError("EXPUNGEISSUED", `no message with UID ${uid}`);
    return r;
  }

  path(uid: number): string {
    return messageFile(this.dir, this.rec(uid).num);
  }

  async read(uid: number): Promise<Buffer> {
    const r = this.rec(uid);
    const path = messageFile(this.dir, r.num);
    const data = r.fileSize <= SYNC_READ_MAX ? readIfSame(path, r.identKey()) : await readIfSameAsync(path, r.identKey());
    if (data) {
      // many of these in a row (SEARCH TEXT) must still let other sessions be served
      await yieldIfSliceDone();
      return data;
    }
    await this.resync();
    throw new StoreError("EXPUNGEISSUED", `message UID ${uid} was changed or removed`);
  }

  async open(uid: number): Promise<{ fh: fsp.FileHandle; fileSize: number }> {
    const r = this.rec(uid);
    const f = await openIfSameAsync(messageFile(this.dir, r.num), r.identKey());
    if (f) return { fh: f.fh, fileSize: f.size };
    await this.resync();
    throw new StoreError("EXPUNGEISSUED", `message UID ${uid} was changed or removed`);
  }

  openSync(uid: number): number {
    const r = this.rec(uid);
    const f = openIfSame(messageFile(this.dir, r.num), r.identKey());
    if (f) return f.fd;
    throw Object.assign(new Error(`message UID ${uid} was changed behind our back`), { code: "ENOENT" });
  }

  /** The message model's index of the message, from the cache or made now and cached. */
  async index(uid: number): Promise<MimeIndex> {
    this.rec(uid);
    const cached = this.indexes.get(uid);
    if (cached) return cached;
    const idx = indexMessage(await this.read(uid));
    this.indexes.put(uid, idx);
    return idx;
  }
}
