// COMPRESS=DEFLATE (RFC 4978) on one connection: raw deflate both ways between the session and
// its socket. It runs in the user process, so the root process relays compressed bytes and keeps
// TLS outside them, the order RFC 4978 §3 asks for. Output is flushed (Z_SYNC_FLUSH) once the
// writes of a turn are done, so every response, IDLE's too, reaches the client at once; a large
// body keeps its back-pressure through the deflate stream, which the socket drains.
import type { Duplex } from "node:stream";
import { constants, createDeflateRaw, createInflateRaw, type DeflateRaw, type InflateRaw } from "node:zlib";

export class Compression {
  private readonly deflate: DeflateRaw;
  private readonly inflate: InflateRaw;
  private flushQueued = false;

  /**
   * `onInput` gets the client's bytes, decompressed; `onCorrupt` is called once when they are
   * not valid deflate data (the connection must then close: nothing after can be read).
   */
  constructor(
    socket: Duplex,
    onInput: (bytes: Buffer) => void,
    onCorrupt: (err: Error) => void,
  ) {
    this.deflate = createDeflateRaw();
    this.inflate = createInflateRaw();
    this.deflate.pipe(socket);
    this.inflate.on("data", onInput);
    this.inflate.on("error", onCorrupt);
    // a compressor fails only when destroyed under a write: the socket is gone then
    this.deflate.on("error", () => socket.destroy());
  }

  /** Bytes from the socket (compressed). */
  input(chunk: Buffer): void {
    this.inflate.write(chunk);
  }

  /** Writes a response; false when the caller should wait for `drainable`'s drain. */
  write(bytes: Buffer): boolean {
    const ok = this.deflate.write(bytes);
    if (!this.flushQueued) {
      this.flushQueued = true;
      setImmediate(() => {
        this.flushQueued = false;
        if (!this.deflate.destroyed) this.deflate.flush(constants.Z_SYNC_FLUSH);
      });
    }
    return ok;
  }

  /** What to wait on for "drain" when write returned false. */
  get drainable(): DeflateRaw {
    return this.deflate;
  }

  /** Ends the output (its last bytes, then the socket's end). */
  end(): void {
    this.deflate.end();
  }

  destroy(): void {
    this.deflate.destroy();
    this.inflate.destroy();
  }
}
