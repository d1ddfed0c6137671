// Test harness: a real MH mail root in a temp dir (the recorded fixture mail), the IMAP engine
// behind a real TCP listener, and a small raw-socket client that speaks bytes and reads
// responses (lines with their literals inline).
import { cpSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import net from "node:net";
import { pino } from "pino";
import { createUserServer } from "../../src/imap/user-server.js";
import type { Logger, UserServer } from "../../src/imap/api.js";
import type { Handoff } from "../../src/protocol/handoff.js";
import { MAIL_BEFORE } from "../fixtures/paths.js";

export const FIXTURE = MAIL_BEFORE;

/** A temp HOME with `.mh_profile` and the fixture MH tree under `Mail`, mtimes as recorded. */
export function makeMail(): { home: string; root: string; cleanup: () => void } {
  const home = mkdtempSync(join(tmpdir(), "asimap-imap-"));
  const root = join(home, "Mail");
  cpSync(FIXTURE, root, { recursive: true });
  rmSync(join(root, "MANIFEST.json"));
  const manifest = JSON.parse(readFileSync(join(FIXTURE, "MANIFEST.json"), "utf8")) as Record<string, { mtime: number }>;
  for (const [p, { mtime }] of Object.entries(manifest)) utimesSync(join(root, p), mtime, mtime);
  writeFileSync(join(home, ".mh_profile"), `Path: ${root}\n`);
  return { home, root, cleanup: () => rmSync(home, { recursive: true, force: true }) };
}

export const silentLogger = pino({ level: process.env.TEST_LOG ?? "silent" }) as unknown as Logger;

export interface Running {
  server: UserServer;
  port: number;
  close(): Promise<void>;
}

/** The user server behind a TCP listener; every connection is handed over as user `tester`
 *  (with `handoff`'s fields, e.g. the quota the root process would give). */
export async function startServer(
  root: string, extra: Partial<Parameters<typeof createUserServer>[0]> = {}, handoffExtra: Partial<Handoff> = {},
): Promise<Running> {
  const server = await createUserServer({ username: "tester", maildir: root, logger: silentLogger, ...extra });
  const sockets = new Set<net.Socket>();
  // TCP stands in for the production unix socket, which has no Nagle delay: turn it off here too
  const listener = net.createServer({ noDelay: true }, (sock) => {
    sockets.add(sock);
    sock.on("close", () => sockets.delete(sock));
    const handoff: Handoff = {
      v: 1, user: "tester", remote: `${sock.remoteAddress}:${sock.remotePort}`,
      tag: "L0", command: "LOGIN", tls: false, ...handoffExtra,
    };
    server.attach(sock, handoff);
  });
  await new Promise<void>((r) => listener.listen(0, "127.0.0.1", r));
  const port = (listener.address() as net.AddressInfo).port;
  return {
    server,
    port,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => listener.close(() => r()));
      await server.shutdown();
    },
  };
}

export interface Reply {
  /** untagged and continuation responses, literals inline, without final CRLF */
  untagged: string[];
  /** the tagged completion line */
  tagged: string;
}

/** A raw IMAP client: writes bytes, parses response lines and `{n}` literals. */
export class RawClient {
  private buf = Buffer.alloc(0);
  // Chunks not yet joined to buf: while a large literal is incomplete, joining every chunk would
  // copy it again and again (quadratic: a 20 MB FETCH took 10 s under load).
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private need = 0;
  private items: string[] = [];
  private waiters: Array<() => void> = [];
  private n = 0;
  closed = false;

  private constructor(readonly sock: net.Socket) {
    sock.on("data", (d: Buffer) => {
      this.pending.push(d);
      this.pendingBytes += d.length;
      if (this.buf.length + this.pendingBytes < this.need) return;
      this.buf = Buffer.concat([this.buf, ...this.pending]);
      this.pending = [];
      this.pendingBytes = 0;
      this.parse();
    });
    sock.on("close", () => {
      this.closed = true;
      this.wake();
    });
  }

  static async connect(port: number): Promise<RawClient> {
    const sock = net.connect({ port, host: "127.0.0.1", noDelay: true });
    await new Promise<void>((r, j) => { sock.once("connect", r); sock.once("error", j); });
    const c = new RawClient(sock);
    const login = await c.next();
    if (!login.startsWith("L0 OK [CAPABILITY ")) throw new Error(`bad login completion: ${login}`);
    return c;
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Splits the input into response items: a line, with any literal it announces inline. */
  private parse(): void {
    this.need = 0;
    let start = 0;
    for (;;) {
      let i = start;
      let pos = start;
      let complete = false;
      for (;;) {
        const lf = this.buf.indexOf(10, pos);
        if (lf < 0) break;
        const m = /\{(\d+)\}\r$/.exec(this.buf.toString("latin1", Math.max(pos, lf - 20), lf));
        if (m) {
          const end = lf + 1 + Number(m[1]);
          if (end > this.buf.length) {
            this.need = end - start;
            break;
          }
          pos = end;
          continue;
        }
        i = lf + 1;
        complete = true;
        break;
      }
      if (!complete) break;
      this.items.push(this.buf.toString("latin1", start, i - 2));
      start = i;
    }
    this.buf = this.buf.subarray(start);
    this.wake();
  }

  /** The next response item (waits for it). */
  async next(timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (this.items.length === 0) {
      if (this.closed) throw new Error("connection closed");
      if (Date.now() > deadline) throw new Error("timed out waiting for a response");
      await new Promise<void>((r) => {
        const t = setTimeout(r, 100);
        this.waiters.push(() => { clearTimeout(t); r(); });
      });
    }
    return this.items.shift()!;
  }

  /** Responses until one matches `re` (returned last). */
  async until(re: RegExp, timeoutMs = 10_000): Promise<string[]> {
    const out: string[] = [];
    for (;;) {
      const l = await this.next(timeoutMs);
      out.push(l);
      if (re.test(l)) return out;
    }
  }

  write(data: string | Buffer): void {
    this.sock.write(data);
  }

  /** Sends `<tag> <text>\r\n` and collects the responses up to the tagged one. */
  async cmd(text: string | Buffer): Promise<Reply> {
    const tag = `T${++this.n}`;
    this.write(Buffer.concat([Buffer.from(`${tag} `), Buffer.isBuffer(text) ? text : Buffer.from(text, "utf8"), Buffer.from("\r\n")]));
    return this.reply(tag);
  }

  async reply(tag: string): Promise<Reply> {
    const untagged: string[] = [];
    for (;;) {
      const l = await this.next();
      if (l.startsWith(tag + " ")) return { untagged, tagged: l };
      untagged.push(l);
    }
  }

  nextTag(): string {
    return `T${++this.n}`;
  }

  /** Whatever arrived without being asked for (non-blocking). */
  drain(): string[] {
    const out = this.items;
    this.items = [];
    return out;
  }

  close(): void {
    this.sock.destroy();
  }
}
