// What the workloads need from a server under test, and the plumbing both servers share:
// a self-signed certificate, a free loopback port, waiting for the listener, stopping cleanly.
import { ChildProcess, execFileSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { Owner, UserSpec } from "./layout.js";

export const PASSWORD = "bench-Pass-1";

/** ours; Dovecot as installed; Dovecot with the fts-xapian plugin (the full-text workload only). */
export type ServerName = "ours" | "dovecot" | "xapian";

/** What building a full-text index cost, and how big it came out. */
export interface FtsBuild {
  wallMs: number;
  cpuMs: number;
  bytes: number;
  /** built by an earlier run and kept (fts-xapian's index of 100,000 messages takes over an hour) */
  cachedFrom?: string;
}

export interface ServerUnderTest {
  readonly name: ServerName;
  readonly port: number;
  /** Writes configuration, password file and every user's mail. */
  prepare(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Lays out a user's mail anew, dropping any state the server kept for it (server stopped). */
  resetUser(user: UserSpec): void;
  /** The process that accepts connections: asimapd's root process / Dovecot's master. */
  rootPid(): number | undefined;
  /** The processes that hold `user`'s mail open: our user process / Dovecot's imap processes. */
  userPids(user: string): number[];
  /** The processes between the client and the mail: Dovecot's imap-login (ours: the root). */
  frontPids(): number[];
  /** The last lines of the server's log, for error reports. */
  logTail(): string;
  /**
   * Builds the full-text index of `user`'s `mailbox` (of `count` messages) and says what it
   * cost; `trigger` runs a SEARCH for servers that index when searched. Absent: no index.
   */
  ftsBuild?(user: string, mailbox: string, count: number, trigger: () => Promise<unknown>): Promise<FtsBuild>;
}

export interface ServerEnv {
  /** This run's private directory (config, homes, logs). */
  dir: string;
  users: UserSpec[];
  owner: Owner;
  cert: string;
  key: string;
}

export function ensureCert(outDir: string): { cert: string; key: string } {
  const dir = path.join(outDir, "tls");
  const cert = path.join(dir, "cert.pem");
  const key = path.join(dir, "key.pem");
  if (fs.existsSync(cert) && fs.existsSync(key)) return { cert, key };
  fs.mkdirSync(dir, { recursive: true });
  execFileSync("openssl", [
    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "3650",
    "-subj", "/CN=localhost", "-keyout", key, "-out", cert,
  ], { stdio: "ignore" });
  fs.chmodSync(key, 0o600);
  return { cert, key };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** Resolves once something accepts TCP connections on the port; rejects if the child dies. */
export async function waitForPort(port: number, child: ChildProcess, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${what} exited (${child.exitCode ?? child.signalCode}) before listening`);
    }
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, "127.0.0.1");
      s.once("connect", () => {
        s.destroy();
        resolve(true);
      });
      s.once("error", () => resolve(false));
    });
    if (ok) return;
    await sleep(50);
  }
  throw new Error(`${what} did not listen on port ${port} within ${ms} ms`);
}

/** SIGTERM, then SIGKILL after a grace period; resolves when the child has exited. */
export async function stopChild(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}

export function tail(file: string, lines = 30): string {
  try {
    return fs.readFileSync(file, "utf8").split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
