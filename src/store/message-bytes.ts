// A message's bytes handed out by the store: a size and ranges, read from a file that was
// checked to be the record's message when it was opened (see message-files.ts). The reader
// never sees the descriptor or the path.
import { closeSync, readSync, type promises as fsp } from "node:fs";
import type { MessageBytes } from "./contract.js";

const READ_CHUNK = 256 * 1024;

export class FileMessageBytes implements MessageBytes {
  constructor(private readonly fh: fsp.FileHandle, readonly size: number) {}

  async read(start: number, end: number): Promise<Buffer> {
    const buf = Buffer.allocUnsafe(Math.max(0, end - start));
    let at = 0;
    while (at < buf.length) {
      const { bytesRead } = await this.fh.read(buf, at, buf.length - at, start + at);
      if (bytesRead === 0) break;
      at += bytesRead;
    }
    return buf.subarray(0, at);
  }

  /**
   * In 256 KB reads (a read stream's 64 KB chunks, each through a Transform, made 4x the hops),
   * the next read issued before the last chunk is handed on, so the disk and the consumer (the
   * socket) work at the same time: the profile of a 20 MB fetch showed both processes mostly
   * idle, each waiting for the other.
   */
  async *chunks(start: number, end: number): AsyncGenerator<Buffer> {
    // a fresh buffer each time: the consumer (a socket) may still hold the previous one
    const readAt = (at: number) => {
      const buf = Buffer.allocUnsafe(Math.min(READ_CHUNK, end - at));
      return this.fh.read(buf, 0, buf.length, at).then(({ bytesRead }) => buf.subarray(0, bytesRead));
    };
    let at = start;
    let next: Promise<Buffer> | null = at < end ? readAt(at) : null;
    try {
      while (next) {
        const chunk = await next;
        next = null;
        if (chunk.length === 0) return;
        at += chunk.length;
        if (at < end) next = readAt(at);
        yield chunk;
      }
    } finally {
      // a read still in flight must end before the file is closed
      await next?.catch(() => undefined);
    }
  }

  close(): Promise<void> {
    return this.fh.close();
  }
}

/**
 * A file of at most a MB (most mail), read with synchronous calls on the event loop: through the
 * thread pool its open, fstat, read and close were four round trips per message, which made a
 * full sync of 1,000 mixed messages (UID FETCH 1:* BODY.PEEK[]) cost ours twice Dovecot's CPU.
 */
export class SmallFileMessageBytes implements MessageBytes {
  constructor(private readonly fd: number, readonly size: number) {}

  read(start: number, end: number): Promise<Buffer> {
    return Promise.resolve(this.readNow(start, end));
  }

  async *chunks(start: number, end: number): AsyncGenerator<Buffer> {
    for (let at = start; at < end;) {
      const chunk = this.readNow(at, Math.min(end, at + READ_CHUNK));
      if (chunk.length === 0) return;
      at += chunk.length;
      yield chunk;
    }
  }

  close(): Promise<void> {
    closeSync(this.fd);
    return Promise.resolve();
  }

  private readNow(start: number, end: number): Buffer {
    // a fresh buffer each time: the consumer (a socket) may still hold the previous one
    const buf = Buffer.allocUnsafe(Math.max(0, end - start));
    let at = 0;
    while (at < buf.length) {
      const n = readSync(this.fd, buf, at, buf.length - at, start + at);
      if (n === 0) break;
      at += n;
    }
    return buf.subarray(0, at);
  }
}
