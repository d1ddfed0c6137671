// One live client connection of a replay: connects (plain or TLS), logs in with LOGIN (traces
// hold only post-login traffic), then sends recorded commands, splitting literals as a client
// must, and files every response with the same ResponseSink that read the recording.
import net from "node:net";
import tls from "node:tls";
import { ResponseFramer } from "./response-splitter.js";
import { splitCommand } from "./literals.js";
import { NO_CRLF, ResponseSink, isCompletionOf } from "./sink.js";

export interface Target {
  host: string;
  port: number;
  tls: boolean;
  /** Accept any server certificate (self-signed test servers). */
  insecure: boolean;
  user: string;
  password: string;
}

export class ReplayError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ReplayError";
  }
}

const LOGIN_TAG = "asimap-replay-login";

/** An IMAP astring for LOGIN: quoted, with \ and " escaped; a literal when it must be. */
function astring(s: string): string {
  if (/[\r\n\x00]/.test(s) || /[^\x20-\x7e]/.test(s)) {
    return `{${Buffer.byteLength(s, "utf8")}+}\r\n${Buffer.from(s, "utf8").toString("latin1")}`;
  }
  return `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

export class ReplayConnection {
  readonly sink = new ResponseSink();
  /** Why a command could not be replayed as recorded, by command index. */
  readonly notes = new Map<number, string>();
  closed = false;
  private readonly framer = new ResponseFramer();
  private readonly waiters = new Set<() => void>();
  private phase: "greeting" | "login" | "session" = "greeting";
  private loginResult?: string;
  private greeting?: string;

  private constructor(private readonly socket: net.Socket) {
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("error", () => this.onClose());
    socket.on("close", () => this.onClose());
  }

  static async open(target: Target, timeoutMs: number): Promise<ReplayConnection> {
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const opts = { host: target.host, port: target.port };
      const s = target.tls
        ? tls.connect({
            ...opts,
            rejectUnauthorized: !target.insecure,
            ...(net.isIP(target.host) ? {} : { servername: target.host }),
          })
        : net.connect(opts);
      const ready = target.tls ? "secureConnect" : "connect";
      s.once(ready, () => resolve(s));
      s.once("error", (err) => reject(new ReplayError(`cannot connect to ${target.host}:${target.port}: ${err.message}`)));
    });
    const conn = new ReplayConnection(socket);
    if (!(await conn.waitFor(() => conn.greeting !== undefined, timeoutMs))) {
      conn.close();
      throw new ReplayError("no greeting from the server");
    }
    if (/^\* BYE/i.test(conn.greeting!)) throw new ReplayError(`server refused: ${conn.greeting}`);
    if (/^\* PREAUTH/i.test(conn.greeting!)) {
      conn.phase = "session";
      return conn;
    }
    conn.phase = "login";
    conn.socket.write(`${LOGIN_TAG} LOGIN ${astring(target.user)} ${astring(target.password)}\r\n`, "latin1");
    if (!(await conn.waitFor(() => conn.loginResult !== undefined, timeoutMs))) {
      conn.close();
      throw new ReplayError("no answer to LOGIN");
    }
    if (!/^\S+ OK/i.test(conn.loginResult!)) {
      conn.close();
      throw new ReplayError(`LOGIN failed: ${conn.loginResult}`);
    }
    conn.phase = "session";
    return conn;
  }

  private onData(chunk: Buffer): void {
    for (const resp of this.framer.push(chunk)) {
      if (this.phase === "greeting") {
        this.greeting = resp;
      } else if (this.phase === "login") {
        if (isCompletionOf(LOGIN_TAG, resp)) this.loginResult = resp;
      } else {
        this.sink.response(resp);
      }
    }
    this.notify();
  }

  private onClose(): void {
    this.closed = true;
    this.notify();
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }

  /** Resolves true once pred() holds, false on timeout or when the connection closes first. */
  waitFor(pred: () => boolean, timeoutMs: number): Promise<boolean> {
    if (pred()) return Promise.resolve(true);
    if (this.closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const check = () => {
        if (pred()) done(true);
        else if (this.closed) done(false);
      };
      const timer = setTimeout(() => done(false), timeoutMs);
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(ok);
      };
      this.waiters.add(check);
    });
  }

  /** A response cut short (no CRLF) before the client speaks again is filed as it is. */
  private async flushPartial(quietMs: number): Promise<void> {
    if (!this.framer.pending) return;
    await this.waitFor(() => !this.framer.pending, quietMs);
    const rest = this.framer.flush();
    if (rest !== undefined) this.sink.response(rest + NO_CRLF);
  }

  /** Sends a recorded command; returns its index once all of it is sent (or abandoned). */
  async sendCommand(text: string, timeoutMs: number, quietMs: number): Promise<number> {
    await this.flushPartial(quietMs);
    const index = this.sink.startCommand(text);
    const cmd = this.sink.commands[index];
    if (this.closed) {
      this.notes.set(index, "not sent: the server had closed the connection");
      return index;
    }
    let continuations = 0;
    for (const part of splitCommand(text)) {
      if (part.awaitContinuation) {
        continuations++;
        const need = continuations;
        const ok = await this.waitFor(() => cmd.literalContinuations >= need || cmd.completed, timeoutMs);
        if (cmd.completed) break; // the server refused the literal
        if (!ok) {
          this.notes.set(index, `no "+" continuation for literal ${need} within ${timeoutMs} ms`);
          break;
        }
      }
      this.socket.write(part.bytes);
    }
    return index;
  }

  async sendInput(text: string, quietMs: number): Promise<void> {
    await this.flushPartial(quietMs);
    this.sink.input(text);
    if (!this.closed) this.socket.write(Buffer.from(text + "\r\n", "latin1"));
  }

  /** Ends the connection, first letting in-flight commands finish for up to quietMs. */
  async finish(quietMs: number): Promise<void> {
    await this.waitFor(() => this.sink.inFlightCount === 0, quietMs);
    await this.flushPartial(quietMs);
    this.close();
    this.sink.finish();
  }

  close(): void {
    if (!this.socket.destroyed) this.socket.destroy();
  }
}
