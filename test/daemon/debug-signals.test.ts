// SIGUSR1 and SIGUSR2 never open a debugger port (Node 20 opens its inspector on 127.0.0.1 on
// SIGUSR1 when no JS listener is installed; any local account could then run code as root) and
// never end a process: sent to the root, to a user process and to spares, one of them as soon
// as it has its handlers.
import { beforeAll, describe, expect, it } from "vitest";
import { chmodSync, existsSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import * as path from "node:path";
import { loginTls as login, makeCert, startDaemon, tempDir, until, userProcesses, usersWithMail } from "./harness.js";

/** inodes of the TCP sockets in LISTEN state (st 0A) */
function listeningInodes(): Set<string> {
  const out = new Set<string>();
  for (const f of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    for (const line of readFileSync(f, "utf8").split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols[3] === "0A") out.add(cols[9]);
    }
  }
  return out;
}

/** the listening TCP sockets a process holds (as inodes) */
function listening(pid: number): string[] {
  const all = listeningInodes();
  const mine: string[] = [];
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m && all.has(m[1])) mine.push(m[1]);
    } catch {
      /* closed meanwhile */
    }
  }
  return mine.sort();
}

function status(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/status`, "utf8");
  } catch {
    return "";
  }
}

const mask = (st: string, field: string) => BigInt("0x" + (new RegExp(`^${field}:\\s*([0-9a-f]+)`, "m").exec(st)?.[1] ?? "0"));
const bit = (sig: number) => 1n << BigInt(sig - 1);
const SIGUSR2 = 12;
const alive = (pid: number) => /^State:\s*[^ZX]/m.test(status(pid));
/** every signal sent to it has been taken (handled, or acted on by the kernel) */
const nonePending = (pid: number) => { const st = status(pid); return !st || (mask(st, "SigPnd") | mask(st, "ShdPnd")) === 0n; };

/** a spare (started, not assigned) that runs our program (not a fork still before its exec) */
function isSpare(pid: number): boolean {
  try {
    return /^asimapd-spare|\0--spare\0/.test(readFileSync(`/proc/${pid}/cmdline`, "utf8"));
  } catch {
    return false;
  }
}

/** it has its own SIGUSR2 handler (claimed together with SIGUSR1, after it) */
const claimed = (pid: number) => (mask(status(pid), "SigCgt") & bit(SIGUSR2)) !== 0n;

/** pids of the spares among the root's children */
function spares(root: number): number[] {
  return readdirSync("/proc").filter((e) => /^\d+$/.test(e)).map(Number).filter((p) => {
    const stat = status(p);
    return /^PPid:\s*(\d+)/m.exec(stat)?.[1] === String(root) && isSpare(p);
  });
}

function poke(pid: number): void {
  for (const s of ["SIGUSR1", "SIGUSR1", "SIGUSR2"] as const) process.kill(pid, s);
}

let pwfile: string;
beforeAll(async () => {
  const dir = tempDir();
  pwfile = await usersWithMail(dir, ["alice", "bob", "carol"]);
});

describe("SIGUSR1 and SIGUSR2 open no debugger port and end no process", () => {
  it("root, user process, spares, and a spare as soon as it has its handlers", async () => {
    const { cert, key } = makeCert();
    const d = await startDaemon(["--cert", cert, "--key", key, "--pwfile", pwfile, "--user-pool", "2",
      "--processes-per-owner", "0", "--trace-dir", path.join(tempDir(), "traces")]);
    try {
      const root = d.proc.pid!;
      const hints = (pid: number) => d.logs().split("\n")
        .filter((l) => l.includes(`"pid":${pid},`) && l.includes("ASIMAP_PROFILE_DIR=<dir>")).length;
      const before = new Map<number, string[]>();
      const poked = (pids: number[]) => pids.forEach((p) => { before.set(p, listening(p)); poke(p); });
      const unchanged = (pids: number[]) => {
        for (const p of pids) expect({ pid: p, listening: alive(p) ? listening(p) : "dead" }).toEqual({ pid: p, listening: before.get(p) });
      };

      const a = await login(d, "alice");
      const alice = userProcesses(root).get("alice")![0];
      poked([root, alice]);
      // the root and the user process say how to profile
      await until(() => hints(root) >= 1 && hints(alice) >= 1 && nonePending(root) && nonePending(alice));
      expect((await a.cmd("NOOP")).at(-1)).toMatch(/ OK /);
      unchanged([root, alice]);
      expect(hints(root)).toBe(1);
      expect(hints(alice)).toBe(1);

      // spares waiting for a login, and one started behind the login that takes a spare,
      // signalled as soon as it has its handlers
      expect(await until(() => spares(root).filter(claimed).length === 2)).toBe(true);
      const idle = spares(root).filter(claimed);
      poked(idle);
      const b = login(d, "bob");
      let fresh = 0;
      await until(() => (fresh = spares(root).find((p) => !idle.includes(p)) ?? 0) !== 0);
      expect(fresh).not.toBe(0);
      expect(await until(() => isSpare(fresh) && claimed(fresh))).toBe(true);
      poked([fresh]);
      await until(() => [...idle, fresh].every(nonePending));
      // still serving: the sessions and a new login (on a poked spare)
      const bob = await b;
      expect((await bob.cmd("SELECT INBOX")).at(-1)).toMatch(/ OK /);
      const c = await login(d, "carol");
      expect((await c.cmd("NOOP")).at(-1)).toMatch(/ OK /);
      unchanged([root, alice, ...idle, fresh]);
      for (const s of [a, bob, c]) s.close();
    } finally {
      await d.stop();
    }
  });

  it("with ASIMAP_PROFILE_DIR, SIGUSR2 writes a CPU profile of the time since the last one", async () => {
    const { cert, key } = makeCert();
    const prof = tempDir();
    chmodSync(prof, 0o777); // user processes write theirs as the mail owner
    const d = await startDaemon(["--cert", cert, "--key", key, "--pwfile", pwfile, "--trace-dir", path.join(tempDir(), "traces")],
      { ASIMAP_PROFILE_DIR: prof });
    try {
      const root = d.proc.pid!;
      const a = await login(d, "alice");
      const alice = userProcesses(root).get("alice")![0];
      const listeners = [listening(root), listening(alice)];
      const files = [`root-${root}`, `user-${alice}`].flatMap((b) => [`${b}-1.cpuprofile`, `${b}-2.cpuprofile`]);
      for (const pid of [root, alice]) process.kill(pid, "SIGUSR2");
      await until(() => files.filter((f) => f.endsWith("-1.cpuprofile")).every((f) => existsSync(path.join(prof, f))));
      expect((await a.cmd("NOOP")).at(-1)).toMatch(/ OK /);
      for (const pid of [root, alice]) process.kill(pid, "SIGUSR2");
      expect(await until(() => files.every((f) => existsSync(path.join(prof, f))))).toBe(true);
      for (const f of files) expect(JSON.parse(readFileSync(path.join(prof, f), "utf8")).nodes.length).toBeGreaterThan(0);
      expect([listening(root), listening(alice)]).toEqual(listeners);
      a.close();
    } finally {
      await d.stop();
    }
    // and the rest when the processes exit
    expect(readdirSync(prof)).toEqual(expect.arrayContaining([`root-${d.proc.pid}.cpuprofile`]));
  });
});
