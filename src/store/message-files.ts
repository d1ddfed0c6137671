// A folder's message files, read for a UID: each open checks the file is still the one the
// record names (inode, size, mtime); one replaced or edited behind our back is a different
// message, so the folder is looked at again and the UID reported as expunged.
import { closeSync, readSync } from "node:fs";
import { messageFile } from "../mh/folder.js";
import type { MimeIndex } from "../message/model.js";
import { openIfSame, openIfSameAsync, readIfSame, readIfSameAsync, yieldIfSliceDone } from "./file-scan.js";
import type { IndexRows } from "./index-rows.js";
import { indexMessage } from "./message-index.js";
import type { StoredRecord } from "./record.js";
import { StoreError, type MessageBytes } from "./contract.js";
import { FileMessageBytes, SmallFileMessageBytes } from "./message-bytes.js";

/** larger files are read with asynchronous calls, so one read never holds the event loop long */
const SYNC_READ_MAX = 1 << 20;

export class MessageFiles {
  constructor(
    private readonly dir: string,
    private readonly indexes: IndexRows,
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

  /** The message's bytes for ranged and streamed reads, if the file still is that message. */
  async bytes(uid: number): Promise<MessageBytes> {
    const r = this.rec(uid);
    const path = messageFile(this.dir, r.num);
    if (r.fileSize <= SYNC_READ_MAX) {
      const small = openIfSame(path, r.identKey());
      if (small) return new SmallFileMessageBytes(small.fd, small.size);
    } else {
      const f = await openIfSameAsync(path, r.identKey());
      if (f) return new FileMessageBytes(f.fh, f.size);
    }
    await this.resync();
    throw new StoreError("EXPUNGEISSUED", `message UID ${uid} was changed or removed`);
  }

  /**
   * Bytes [start, end) at once, synchronously (a header block: a few KB, usually in the page
   * cache; a thread-pool round trip cost more than the read). Throws ENOENT when the file is
   * no longer that message; a short result means it changed while read.
   */
  readRange(uid: number, start: number, end: number): Buffer {
    const r = this.rec(uid);
    const f = openIfSame(messageFile(this.dir, r.num), r.identKey());
    if (!f) throw Object.assign(new Error(`message UID ${uid} was changed behind our back`), { code: "ENOENT" });
    const buf = Buffer.allocUnsafe(Math.max(0, end - start));
    let at = 0;
    try {
      while (at < buf.length) {
        const n = readSync(f.fd, buf, at, buf.length - at, start + at);
        if (n === 0) break;
        at += n;
      }
    } finally {
      closeSync(f.fd);
    }
    return buf.subarray(0, at);
  }

  /** The message model's index of the message, from its row or made now and stored. */
  async index(uid: number): Promise<MimeIndex> {
    this.rec(uid);
    const cached = this.indexes.get(uid);
    if (cached) return cached;
    const idx = indexMessage(await this.read(uid));
    this.indexes.put(uid, idx);
    return idx;
  }
}
