// Our server under test: the compiled asimapd (dist/src/cli/asimapd.js) serving MH folders over
// implicit TLS, with a password file of Django-style pbkdf2_sha256 hashes.
import { ChildProcess, spawn } from "node:child_process";
import { pbkdf2Sync, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { FTS_DB } from "../../src/imap/fts/fts-db.js";
import { layoutMh, UserSpec } from "./layout.js";
import { descendants, treeCpuMs } from "./procs.js";
import {
  freePort, type FtsBuild, PASSWORD, ServerEnv, ServerUnderTest, sleep, stopChild, tail, waitForPort,
} from "./server.js";

/** Same cost as Dovecot's side (PBKDF2, 10,000 rounds): logins measure IMAP, not hashing. */
const ITERATIONS = 10_000;

export function djangoPbkdf2(password: string, iterations = ITERATIONS): string {
  const salt = randomBytes(12).toString("base64url").replace(/[^A-Za-z0-9]/g, "x");
  const dk = pbkdf2Sync(password, salt, iterations, 32, "sha256").toString("base64");
  return `pbkdf2_sha256$${iterations}$${salt}$${dk}`;
}

export class Ours implements ServerUnderTest {
  readonly name = "ours" as const;
  port = 0;
  private child: ChildProcess | undefined;
  private readonly dir: string;
  private readonly log: string;

  constructor(
    private readonly env: ServerEnv,
    private readonly entry: string,
    /** pbkdf2 rounds of the password file's hashes (the stress run uses Django's default) */
    private readonly iterations = ITERATIONS,
  ) {
    this.dir = path.join(env.dir, "ours");
    this.log = path.join(this.dir, "asimapd.log");
  }

  async prepare(): Promise<void> {
    fs.mkdirSync(this.dir, { recursive: true });
    fs.chmodSync(this.dir, 0o755);
    this.port = await freePort();
    const hash = djangoPbkdf2(PASSWORD, this.iterations);
    const lines = this.env.users.map((u) => `${u.name}:${hash}:${layoutMh(this.home(u.name), u, this.env.owner)}\n`);
    fs.writeFileSync(this.pwfile(), lines.join(""), { mode: 0o600 });
  }

  resetUser(user: UserSpec): void {
    // Everything the server may keep for a user (its state database included) lives in the
    // user's home; a new home is a first open with no state.
    fs.rmSync(this.home(user.name), { recursive: true, force: true });
    layoutMh(this.home(user.name), user, this.env.owner);
  }

  async start(): Promise<void> {
    const out = fs.openSync(this.log, "a");
    this.child = spawn(
      process.execPath,
      [
        this.entry,
        "--address", "127.0.0.1",
        "--port", String(this.port),
        "--cert", this.env.cert,
        "--key", this.env.key,
        "--pwfile", this.pwfile(),
      ],
      { stdio: ["ignore", out, out], env: { ...process.env, NODE_ENV: "production" } },
    );
    fs.closeSync(out);
    try {
      await waitForPort(this.port, this.child, "asimapd");
    } catch (e) {
      throw new Error(`${(e as Error).message}\n${this.logTail()}`);
    }
  }

  async stop(): Promise<void> {
    const root = this.child?.pid;
    const users = root ? descendants(root).map((p) => p.pid) : [];
    if (this.child) await stopChild(this.child);
    this.child = undefined;
    // User processes outlive their root only until it notices; do not let them linger into the
    // next measurement.
    for (const pid of users) {
      try {
        process.kill(pid, "SIGTERM");
      } catch {
        // already gone
      }
    }
  }

  rootPid(): number | undefined {
    return this.child?.pid;
  }

  userPids(user: string): number[] {
    const root = this.child?.pid;
    if (!root) return [];
    const below = descendants(root);
    // (the title lists every user the process serves: `asimapd-user a b c`)
    const titled = below.filter((p) => /^asimapd-user /.test(p.cmdline) && p.cmdline.split(/\s+/).slice(1).includes(user));
    return titled.map((p) => p.pid);
  }

  frontPids(): number[] {
    return [];
  }

  /**
   * Our index is built in the background after a folder's first SEARCH (--fts on, the default):
   * from that SEARCH until the indexer's log lines for the folder add up to all its messages;
   * CPU of the root and its user processes over that time.
   */
  async ftsBuild(user: string, mailbox: string, count: number, trigger: () => Promise<unknown>): Promise<FtsBuild> {
    const root = this.child?.pid;
    if (!root) throw new Error("asimapd is not running");
    const from = fs.statSync(this.log).size;
    const cpu0 = treeCpuMs(root);
    const t0 = performance.now();
    await trigger();
    const deadline = Date.now() + 60 * 60_000;
    while (this.indexedSince(from, mailbox) < count) {
      if (Date.now() > deadline) throw new Error(`the full-text index of ${mailbox} was not built within an hour`);
      await sleep(50);
    }
    const wallMs = performance.now() - t0;
    const cpuMs = treeCpuMs(root) - cpu0;
    const db = path.join(this.home(user), "Mail", FTS_DB);
    const bytes = [db, `${db}-wal`].reduce((n, f) => n + (fs.existsSync(f) ? fs.statSync(f).size : 0), 0);
    return { wallMs, cpuMs, bytes };
  }

  /** Messages of `mailbox` the indexer logged as indexed after byte `from` of the log. */
  private indexedSince(from: number, mailbox: string): number {
    const text = fs.readFileSync(this.log).subarray(from).toString("utf8");
    let n = 0;
    for (const line of text.split("\n")) {
      if (!line.includes("full-text index of mailbox updated")) continue;
      const o = JSON.parse(line) as { mailbox?: string; indexed?: number };
      if (o.mailbox === mailbox) n += o.indexed ?? 0;
    }
    return n;
  }

  logTail(): string {
    return tail(this.log);
  }

  private home(user: string): string {
    return path.join(this.dir, "home", user);
  }

  private pwfile(): string {
    return path.join(this.dir, "passwd");
  }
}
