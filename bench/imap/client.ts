// A lean IMAP client over TLS for the benchmarks: one command at a time per connection, responses
// split into lines and literals without building the whole reply, literal bytes counted (and only
// kept when asked), so the client costs little next to the server it measures.
import { performance } from "node:perf_hooks";
import tls from "node:tls";
import zlib from "node:zlib";

export interface Untagged {
  /** The response with each literal's bytes left out (the `{n}` markers stay). */
  line: string;
  literalBytes: number;
  literals: Buffer[];
}

export interface Completion {
  tag: string;
  status: "OK" | "NO" | "BAD";
  text: string;
  untagged: Untagged[];
  /** Untagged responses received while the command ran, whether collected or not. */
  untaggedCount: number;
  /** Literal bytes received while the command ran. */
  literalBytes: number;
}

/** A tagged NO/BAD, an unexpected BYE or a dropped connection: the benchmark's "protocol error". */
export class ImapError extends Error {
  constructor(
    message: string,
    readonly completion?: Completion,
  ) {
    super(message);
    this.name = "ImapError";
  }
}

interface Pending {
  tag: string;
  command: string;
  collect: boolean;
  untagged: Untagged[];
  untaggedCount: number;
  literalBytes: number;
  resolve: (c: Completion) => void;
  reject: (e: Error) => void;
}

export interface CommandOptions {
  /** Keep the untagged responses (default: only count them). */
  collect?: boolean;
  /** Give up (and drop the connection) after this long; 0 = never. Default: the client's. */
  timeoutMs?: number;
}

export interface ConnectOptions {
  host?: string;
  port: number;
  /** Keep literal contents in collected responses (default: count only). */
  captureLiterals?: boolean;
  /** Longest wait for the greeting and for each command (default 120 s): a stuck server fails
   *  the workload instead of hanging the benchmark. */
  timeoutMs?: number;
}

const LITERAL_AT_END = /\{(\d+)\+?\}$/;

export class ImapClient {
  /** BENCH_SLOW_MS=n: commands slower than n ms are written to stderr (to find the cause of a slow row). */
  static slowMs = Number(process.env.BENCH_SLOW_MS ?? 0);
  private buf: Buffer = Buffer.alloc(0);
  private parts: string[] = [];
  private literals: Buffer[] = [];
  private literalBytes = 0;
  private literalLeft = 0;
  private tagSeq = 0;
  private pending: Pending | undefined;
  private continuation: ((line: string) => void) | undefined;
  private listeners = new Set<(u: Untagged) => void>();
  private closedError: Error | undefined;
  private greetingWait: { resolve: (u: Untagged) => void; reject: (e: Error) => void } | undefined;
  capabilities = new Set<string>();
  /** Bytes received inside TLS (compressed ones under COMPRESS): what the network carried. */
  wireBytesIn = 0;
  private inflate: zlib.InflateRaw | undefined;
  private deflate: zlib.DeflateRaw | undefined;

  private constructor(
    private readonly socket: tls.TLSSocket,
    private readonly captureLiterals: boolean,
    private readonly timeoutMs: number,
  ) {
    socket.on("data", (chunk: Buffer) => {
      this.wireBytesIn += chunk.length;
      if (this.inflate) this.inflate.write(chunk);
      else this.onData(chunk);
    });
    socket.on("error", (e) => this.fail(new ImapError(`connection error: ${e.message}`)));
    socket.on("close", () => this.fail(new ImapError("connection closed by server")));
  }

  static async connect(opts: ConnectOptions): Promise<ImapClient> {
    const socket = tls.connect({
      host: opts.host ?? "127.0.0.1",
      port: opts.port,
      servername: "localhost",
      rejectUnauthorized: false,
    });
    socket.setNoDelay(true);
    const timeoutMs = opts.timeoutMs ?? 120_000;
    const client = new ImapClient(socket, opts.captureLiterals ?? false, timeoutMs);
    const greeting = await withTimeout(
      new Promise<Untagged>((resolve, reject) => (client.greetingWait = { resolve, reject })),
      timeoutMs,
      "greeting",
    ).catch((e) => {
      client.destroy();
      throw e;
    });
    if (!/^\* (OK|PREAUTH)\b/i.test(greeting.line)) {
      client.destroy();
      throw new ImapError(`bad greeting: ${greeting.line.slice(0, 200)}`);
    }
    client.noteCapabilities(greeting.line);
    return client;
  }

  /** Runs one command; a tagged NO or BAD rejects with ImapError. */
  command(text: string, opts: CommandOptions = {}): Promise<Completion> {
    const { tag, done } = this.start(text, opts);
    this.send(`${tag} ${text}\r\n`);
    return done;
  }

  /** COMPRESS=DEFLATE (RFC 4978): from the tagged OK on, both directions are raw deflate. */
  async compress(): Promise<Completion> {
    const c = await this.command("COMPRESS DEFLATE");
    this.inflate = zlib.createInflateRaw();
    this.inflate.on("data", (d: Buffer) => this.onData(d));
    this.inflate.on("error", (e) => this.fail(new ImapError(`bad deflate data from the server: ${e.message}`)));
    this.deflate = zlib.createDeflateRaw();
    this.deflate.on("data", (d: Buffer) => this.socket.write(d));
    return c;
  }

  /** Writes command bytes, deflated (and flushed at once) under COMPRESS. */
  private send(bytes: string | Buffer): void {
    if (!this.deflate) {
      this.socket.write(bytes);
      return;
    }
    this.deflate.write(bytes);
    this.deflate.flush(zlib.constants.Z_SYNC_FLUSH);
  }

  async login(user: string, password: string): Promise<Completion> {
    const c = await this.command(`LOGIN ${quote(user)} ${quote(password)}`);
    this.noteCapabilities(c.text);
    if (!/\[CAPABILITY /i.test(c.text)) await this.refreshCapabilities();
    return c;
  }

  async refreshCapabilities(): Promise<void> {
    const c = await this.command("CAPABILITY", { collect: true });
    for (const u of c.untagged) this.noteCapabilities(u.line);
  }

  /** APPEND with a synchronising literal: the client waits for "+" like a careful client would. */
  async append(mailbox: string, message: Buffer, flags = ""): Promise<Completion> {
    const { tag, done } = this.start(`APPEND ${mailbox}`, {});
    const cont = new Promise<string>((resolve) => (this.continuation = resolve));
    const flagList = flags ? `(${flags}) ` : "";
    this.send(`${tag} APPEND ${quote(mailbox)} ${flagList}{${message.length}}\r\n`);
    const first = await Promise.race([cont, done.then(() => undefined)]);
    if (first === undefined) throw new ImapError(`APPEND completed before the literal was sent`);
    this.send(message);
    this.send("\r\n");
    return done;
  }

  /** Enters IDLE; the returned function ends it with DONE and waits for the tagged OK. */
  async idle(): Promise<() => Promise<Completion>> {
    const { tag, done } = this.start("IDLE", { timeoutMs: 0 });
    const cont = new Promise<string>((resolve) => (this.continuation = resolve));
    this.send(`${tag} IDLE\r\n`);
    const first = await Promise.race([cont, done.then(() => undefined)]);
    if (first === undefined) throw new ImapError("IDLE completed without a continuation");
    return () => {
      this.send("DONE\r\n");
      return done;
    };
  }

  /** Calls fn for every untagged response from now on; returns the unsubscribe function. */
  onUntagged(fn: (u: Untagged) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  async logout(): Promise<void> {
    try {
      await this.command("LOGOUT");
    } finally {
      this.destroy();
    }
  }

  destroy(): void {
    this.closedError ??= new ImapError("connection closed by client");
    this.socket.destroy();
  }

  private start(text: string, opts: CommandOptions): { tag: string; done: Promise<Completion> } {
    if (this.closedError) return { tag: "", done: Promise.reject(this.closedError) };
    if (this.pending) throw new Error(`command "${text}" sent while "${this.pending.command}" runs`);
    const tag = `b${++this.tagSeq}`;
    const ms = opts.timeoutMs ?? this.timeoutMs;
    const started = performance.now();
    const timer = ms > 0
      ? setTimeout(() => this.fail(new ImapError(`timed out after ${ms} ms waiting for ${text.slice(0, 60)}`)), ms)
      : undefined;
    const done = new Promise<Completion>((resolve, reject) => {
      this.pending = {
        tag,
        command: text.slice(0, 60),
        collect: opts.collect ?? false,
        untagged: [],
        untaggedCount: 0,
        literalBytes: 0,
        resolve,
        reject,
      };
    }).finally(() => {
      clearTimeout(timer);
      const took = performance.now() - started;
      if (ImapClient.slowMs > 0 && took > ImapClient.slowMs && text !== "IDLE") {
        process.stderr.write(`[slow] ${took.toFixed(0)} ms ${text.slice(0, 80)}\n`);
      }
    });
    return { tag, done };
  }

  private noteCapabilities(line: string): void {
    const m = /CAPABILITY ([^\]\r\n]*)/i.exec(line);
    if (!m) return;
    this.capabilities = new Set(m[1].trim().toUpperCase().split(/\s+/));
  }

  private onData(chunk: Buffer): void {
    let data = chunk;
    let pos = 0;
    while (pos < data.length) {
      if (this.literalLeft > 0) {
        const take = Math.min(this.literalLeft, data.length - pos);
        if (this.captureLiterals) this.literals.push(data.subarray(pos, pos + take));
        this.literalLeft -= take;
        this.literalBytes += take;
        if (this.pending) this.pending.literalBytes += take;
        pos += take;
        continue;
      }
      if (this.buf.length > 0) {
        data = Buffer.concat([this.buf, data.subarray(pos)]);
        pos = 0;
        this.buf = Buffer.alloc(0);
      }
      const nl = data.indexOf(10, pos);
      if (nl < 0) {
        this.buf = Buffer.from(data.subarray(pos));
        return;
      }
      const end = nl > pos && data[nl - 1] === 13 ? nl - 1 : nl;
      const text = data.toString("latin1", pos, end);
      pos = nl + 1;
      this.parts.push(text);
      const lit = LITERAL_AT_END.exec(text);
      if (lit) {
        this.literalLeft = Number(lit[1]);
        continue;
      }
      this.dispatch();
    }
  }

  private dispatch(): void {
    const resp: Untagged = {
      line: this.parts.length === 1 ? this.parts[0] : this.parts.join(""),
      literalBytes: this.literalBytes,
      literals: this.literals,
    };
    this.parts = [];
    this.literals = [];
    this.literalBytes = 0;
    const line = resp.line;
    if (line.startsWith("* ")) {
      if (this.greetingWait) {
        const g = this.greetingWait;
        this.greetingWait = undefined;
        g.resolve(resp);
        return;
      }
      const p = this.pending;
      if (p) {
        p.untaggedCount++;
        if (p.collect) p.untagged.push(resp);
      }
      for (const fn of this.listeners) fn(resp);
      return;
    }
    if (line.startsWith("+")) {
      const c = this.continuation;
      this.continuation = undefined;
      if (c) c(line);
      else this.fail(new ImapError(`unexpected continuation: ${line.slice(0, 200)}`));
      return;
    }
    const sp = line.indexOf(" ");
    const tag = line.slice(0, sp);
    const p = this.pending;
    if (!p || p.tag !== tag) {
      this.fail(new ImapError(`response for an unknown tag: ${line.slice(0, 200)}`));
      return;
    }
    this.pending = undefined;
    this.continuation = undefined;
    const rest = line.slice(sp + 1);
    const status = rest.slice(0, rest.indexOf(" ") < 0 ? rest.length : rest.indexOf(" ")).toUpperCase();
    const completion: Completion = {
      tag,
      status: status === "OK" || status === "NO" ? status : "BAD",
      text: rest,
      untagged: p.untagged,
      untaggedCount: p.untaggedCount,
      literalBytes: p.literalBytes,
    };
    if (completion.status === "OK") p.resolve(completion);
    else p.reject(new ImapError(`${p.command} → ${rest.slice(0, 300)}`, completion));
  }

  private fail(e: Error): void {
    this.closedError ??= e;
    const p = this.pending;
    this.pending = undefined;
    p?.reject(e);
    const g = this.greetingWait;
    this.greetingWait = undefined;
    g?.reject(e);
    this.socket.destroy();
  }
}

/** An IMAP quoted string (the benchmark only sends ASCII without CR/LF). */
export function quote(s: string): string {
  return `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ImapError(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}
