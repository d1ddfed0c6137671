// Test harness for the daemon: real asimapd processes (from dist/, built by `make test`),
// real certificates from the openssl CLI, real MH mail copied from the fixtures, and a small
// line-based IMAP client over node:net / node:tls.
import { afterAll } from "vitest";
import { execFileSync, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, chmodSync } from "node:fs";
import { connect as netConnect, type Socket } from "node:net";
import { connect as tlsConnect, TLSSocket } from "node:tls";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { chownTree } from "../../src/cli/chown-tree.js";
import { pbkdf2Encode } from "../../src/daemon/hashers.js";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const DIST = path.join(ROOT, "dist/src/cli");
export const FIXTURE_MAIL = path.join(ROOT, "test/fixtures/mail-before");
export const isRoot = process.getuid?.() === 0;

export function requireBuild(): void {
  for (const f of ["asimapd.js", "set-password.js"]) {
    if (!existsSync(path.join(DIST, f))) throw new Error(`dist/src/cli/${f} missing: run \`npm run build\` first`);
  }
}

const made: string[] = [];
// Registered while the importing test file is collected: runs after all of its tests.
afterAll(() => {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
});

export function tempDir(prefix = "asimapd-test-"): string {
  const d = mkdtempSync(path.join(tmpdir(), prefix));
  made.push(d);
  chmodSync(d, 0o755); // user processes (other uids) must pass through to their mail
  return d;
}

let certCache: { cert: string; key: string } | null = null;
export function makeCert(): { cert: string; key: string } {
  if (certCache) return certCache;
  const d = tempDir("asimapd-cert-");
  const cert = path.join(d, "cert.pem");
  const key = path.join(d, "key.pem");
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
    "-keyout", key, "-out", cert], { stdio: "ignore" });
  return (certCache = { cert, key });
}

/** A copy of the fixture mail, owned by uid/gid (default: nobody when we are root). */
export function makeMaildir(parent: string, name: string, owner?: { uid: number; gid: number }, mode = 0o755): string {
  const dir = path.join(parent, name);
  cpSync(FIXTURE_MAIL, dir, { recursive: true, filter: (s) => path.basename(s) !== "MANIFEST.json" });
  chmodSync(dir, mode);
  const o = owner ?? (isRoot ? { uid: 65534, gid: 65534 } : undefined);
  if (o) chownTree(dir, o.uid, o.gid);
  return dir;
}

/** A real system user (we are root) with its own group and no login shell; `home` is its
 *  passwd entry's home directory (not created). Removed after the importing file's tests. */
export function addSystemUser(name: string, home?: string): { uid: number; gid: number } {
  execFileSync("useradd", ["--no-create-home", "--user-group", "--shell", "/usr/sbin/nologin",
    ...(home ? ["--home-dir", home] : []), name]);
  addedUsers.push(name);
  return systemIds(name);
}

const addedUsers: string[] = [];
afterAll(() => {
  for (const u of addedUsers.splice(0)) spawnSync("userdel", [u]);
});

export function systemIds(user: string): { uid: number; gid: number } {
  return {
    uid: Number(execFileSync("id", ["-u", user], { encoding: "utf8" }).trim()),
    gid: Number(execFileSync("id", ["-g", user], { encoding: "utf8" }).trim()),
  };
}

export interface Daemon {
  proc: ChildProcess;
  port: number;
  plainPort?: number;
  logs: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
  stop(): Promise<number | null>;
}

/** Starts dist asimapd (or the one in `cliDir`, a copy of dist/src/cli) with the given
 *  arguments; resolves once it listens. */
export async function startDaemon(args: string[], env: Record<string, string> = {}, cliDir = DIST): Promise<Daemon> {
  requireBuild();
  const proc = spawn(process.execPath, [path.join(cliDir, "asimapd.js"), "--address", "127.0.0.1", "--port", "0", ...args], {
    stdio: ["ignore", "pipe", "pipe", "ipc"],
    env: { ...process.env, ASIMAPD_AUTH_FAIL_DELAY_MS: "0", ASIMAPD_THROTTLE_DELAY_MS: "50", ...env },
  });
  let out = "";
  let err = "";
  proc.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  proc.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((res) => proc.once("exit", (code) => res(code)));
  const ports = await new Promise<{ port: number; plainPort?: number }>((resolve, reject) => {
    proc.on("message", (m: { t: string; port: number; plainPort?: number }) => {
      if (m.t === "listening") resolve(m);
    });
    void exited.then((code) => reject(new Error(`asimapd exited ${code}: ${err}${out}`)));
  });
  return {
    proc, ...ports, logs: () => out, stderr: () => err, exited,
    stop: async () => {
      if (proc.exitCode === null) proc.kill("SIGTERM");
      return exited;
    },
  };
}

/** Runs a dist CLI to completion. */
export function runCli(script: string, args: string[], env: Record<string, string> = {}):
  Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [path.join(DIST, script), ...args], { env: { ...process.env, ...env } });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    p.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    p.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

/** A minimal IMAP client: send lines, collect response lines (literals are kept inline). */
export class Client {
  private buf = "";
  private waiters: Array<() => void> = [];
  closed = false;
  lines: string[] = [];
  private n = 0;

  constructor(public socket: Socket) {
    this.listen();
  }

  private listen(): void {
    this.socket.on("data", (d: Buffer) => {
      this.buf += d.toString("latin1");
      let i;
      while ((i = this.buf.indexOf("\r\n")) >= 0) {
        this.lines.push(this.buf.slice(0, i));
        this.buf = this.buf.slice(i + 2);
      }
      this.wake();
    });
    this.socket.on("close", () => { this.closed = true; this.wake(); });
    this.socket.on("error", () => undefined);
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    w.forEach((f) => f());
  }

  static async tls(port: number, host = "127.0.0.1", localAddress?: string): Promise<Client> {
    const s = tlsConnect({ host, port, rejectUnauthorized: false, localAddress });
    await new Promise<void>((res, rej) => s.once("secureConnect", () => res()).once("error", rej));
    const c = new Client(s);
    await c.waitFor((l) => l.startsWith("* OK"));
    return c;
  }

  static async plain(port: number, host = "127.0.0.1", localAddress?: string): Promise<Client> {
    const s = netConnect({ host, port, localAddress });
    await new Promise<void>((res, rej) => s.once("connect", () => res()).once("error", rej));
    const c = new Client(s);
    await c.waitFor((l) => l.startsWith("* OK"));
    return c;
  }

  /** Upgrades with STARTTLS (after the tagged OK). */
  async starttls(): Promise<string[]> {
    const r = await this.cmd("STARTTLS");
    if (!r.at(-1)!.includes(" OK ")) return r;
    this.socket.removeAllListeners("data");
    this.socket.removeAllListeners("close");
    const s = tlsConnect({ socket: this.socket, rejectUnauthorized: false });
    await new Promise<void>((res, rej) => s.once("secureConnect", () => res()).once("error", rej));
    this.socket = s;
    this.listen();
    return r;
  }

  /** Waits for a line matching `pred` (from the unread ones); throws if the connection closes. */
  async waitFor(pred: (l: string) => boolean, timeoutMs = 20_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.lines.findIndex(pred);
      if (i >= 0) return this.lines.splice(0, i + 1)[i];
      if (this.closed) throw new Error(`connection closed; unread: ${JSON.stringify(this.lines)}`);
      if (Date.now() > deadline) throw new Error(`timeout; unread: ${JSON.stringify(this.lines)}`);
      await new Promise<void>((res) => {
        this.waiters.push(res);
        setTimeout(res, 200);
      });
    }
  }

  write(s: string): void {
    this.socket.write(s);
  }

  /** Sends `<tag> <command>` and returns every line up to and including the tagged reply. */
  async cmd(command: string, tag = `t${++this.n}`): Promise<string[]> {
    const start = this.lines.length;
    void start;
    this.write(`${tag} ${command}\r\n`);
    const out: string[] = [];
    for (;;) {
      const l = await this.waitFor(() => true);
      out.push(l);
      if (l.startsWith(tag + " ")) return out;
    }
  }

  async closedOrTimeout(timeoutMs = 10_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    return this.closed;
  }

  close(): void {
    this.socket.destroy();
  }
}

/** user → pids of `asimapd-user <user> <user>...` processes (the users each serves) that are
 *  children of `parent`. */
export function userProcesses(parent: number): Map<string, number[]> {
  const m = new Map<string, number[]>();
  for (const e of readdirSync("/proc")) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid !== parent) continue;
      const cmd = readFileSync(`/proc/${e}/cmdline`, "utf8").replace(/\0+$/, "").replace(/\0/g, " ");
      const mm = /^asimapd-user (.+)$/.exec(cmd);
      for (const u of mm?.[1].trim().split(" ") ?? []) m.set(u, [...(m.get(u) ?? []), Number(e)]);
    } catch {
      /* process gone */
    }
  }
  return m;
}

export function procUid(pid: number): { uid: number; gid: number; groups: number[] } {
  const st = readFileSync(`/proc/${pid}/status`, "utf8");
  const uid = Number(/^Uid:\s+(\d+)/m.exec(st)![1]);
  const gid = Number(/^Gid:\s+(\d+)/m.exec(st)![1]);
  const groups = (/^Groups:\s*(.*)$/m.exec(st)![1].trim() || "").split(/\s+/).filter(Boolean).map(Number);
  return { uid, gid, groups };
}

export async function until(pred: () => boolean, timeoutMs = 15_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

/** A TLS connection logged in as `user` (password "pw"), from a fresh loopback address. */
export async function loginTls(d: Daemon, user: string): Promise<Client> {
  const c = await Client.tls(d.port, "127.0.0.1", freshLoopback());
  const r = (await c.cmd(`LOGIN ${user} pw`)).at(-1)!;
  if (!/ OK /.test(r)) throw new Error(r);
  return c;
}

export function writePwfile(dir: string, lines: string[]): string {
  const f = path.join(dir, "pwfile");
  writeFileSync(f, lines.join("\n") + "\n", { mode: 0o600 });
  return f;
}

/** A copy of the fixture mail as `<dir>/<user>-mail` for each user, and the password file
 *  giving each the password "pw"; returns its path. */
export async function usersWithMail(dir: string, users: string[]): Promise<string> {
  for (const u of users) makeMaildir(dir, `${u}-mail`);
  const h = await pbkdf2Encode("pw", "salt", 1000);
  return writePwfile(dir, users.map((u) => `${u}:${h}:${u}-mail`));
}

let nextLoopback = 10;
/** A fresh 127.0.0.x source address: failed-login counts are kept per address. */
export function freshLoopback(): string {
  return `127.0.0.${nextLoopback++}`;
}
