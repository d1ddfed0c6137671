// A real asimapd (dist/, TLS, one user with the fixture mail) for the hardening tests, and
// probes that send hostile bytes and demand an answer (never silence, never a hang).
import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { pbkdf2Encode } from "../../src/daemon/hashers.js";
import { Client, makeCert, makeMaildir, startDaemon, tempDir, userProcesses, writePwfile, type Daemon } from "../daemon/harness.js";

let addr = 0;
/** A fresh 127.x.y.z source address (failed logins and throttling are counted per address);
 *  unlike the daemon harness's, good for thousands of connections. */
export function freshLoopback(): string {
  addr++;
  return `127.${100 + (addr >> 16)}.${(addr >> 8) & 255}.${(addr & 255) || 1}`;
}

export interface Live {
  d: Daemon;
  dir: string;
  /** user name → maildir */
  mail: Map<string, string>;
  login(user?: string): Promise<Client>;
  userPid(user?: string): number | undefined;
  /** stops the daemon and removes its directory (mail, pwfile, run dir) */
  close(): Promise<void>;
}

export async function startLive(users = ["fz"], env: Record<string, string> = {}, args: string[] = []): Promise<Live> {
  const dir = tempDir("asimap-hard-");
  const mail = new Map<string, string>();
  const h = await pbkdf2Encode("pw", "salt", 1000);
  for (const u of users) mail.set(u, makeMaildir(dir, `mail-${u}`));
  writePwfile(dir, users.map((u) => `${u}:${h}:mail-${u}`));
  const { cert, key } = makeCert();
  const d = await startDaemon(["--cert", cert, "--key", key, "--pwfile", `${dir}/pwfile`, "--run-dir", `${dir}/run`, ...args], env);
  return {
    d, dir, mail,
    async login(user = users[0]) {
      const c = await Client.tls(d.port, "127.0.0.1", freshLoopback());
      const r = await c.cmd(`LOGIN ${user} pw`);
      expect(r.at(-1)).toMatch(/ OK /);
      return c;
    },
    userPid: (user = users[0]) => userProcesses(d.proc.pid!).get(user)?.[0],
    async close() {
      await d.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** MH message files of a folder. */
export function messageFiles(maildir: string, folder = "inbox"): string[] {
  return readdirSync(join(maildir, folder)).filter((f) => /^[0-9]+$/.test(f)).sort((a, b) => Number(a) - Number(b));
}

export interface ProbeResult { lines: string[]; closed: boolean }

let sentinel = 0;
/** Writes `payload`, then a NOOP; waits for the NOOP's answer or the connection's end. A hang
 *  (neither within `timeoutMs`) fails. */
export async function probe(c: Client, payload: Buffer | string, timeoutMs = 15_000): Promise<ProbeResult> {
  const tag = `zz${++sentinel}`;
  c.socket.write(payload);
  c.socket.write(`${tag} NOOP\r\n`);
  const lines: string[] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (Date.now() > deadline) throw new Error(`no answer within ${timeoutMs} ms to ${JSON.stringify(String(payload).slice(0, 200))}; got ${JSON.stringify(lines.slice(-5))}`);
    try {
      const l = await c.waitFor(() => true, Math.max(1, deadline - Date.now()));
      if (l.startsWith(`${tag} `)) return { lines, closed: false };
      lines.push(l);
    } catch (e) {
      if (c.closed) return { lines: [...lines, ...c.lines.splice(0)], closed: true };
      throw e;
    }
  }
}

/** No internal error leaked: a fuzzed command is a client error, never a server bug. */
export function expectNoServerBug(r: ProbeResult, what: string): void {
  const bug = r.lines.find((l) => /SERVERBUG|Internal error/i.test(l));
  expect(bug, `server bug on ${what}`).toBeUndefined();
}
