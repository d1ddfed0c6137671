// The pool of spare user processes (--user-pool): started ahead of logins, they wait as root
// serving nothing; a login hands one its user, and it takes that user's identity before it
// opens mail or a socket. A spare that dies is replaced; a pool of 0 starts none. Real system
// users (useradd), real asimapd, real TLS.
import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pbkdf2Encode } from "../../src/daemon/hashers.js";
import { Client, freshLoopback, isRoot, makeCert, makeMaildir, startDaemon, tempDir, until, userProcesses,
  writePwfile, type Daemon } from "./harness.js";

const sfx = randomBytes(3).toString("hex");
const UA = `aspla${sfx}`;
const UB = `asplb${sfx}`;
const id = (u: string) => ({
  uid: Number(execFileSync("id", ["-u", u], { encoding: "utf8" })),
  gid: Number(execFileSync("id", ["-g", u], { encoding: "utf8" })),
});

/** pids of the daemon's children still waiting as spares */
function spares(parent: number): number[] {
  const out: number[] = [];
  for (const e of readdirSync("/proc")) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, "utf8");
      if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) !== parent) continue;
      if (readFileSync(`/proc/${e}/cmdline`, "utf8").startsWith("asimapd-spare")) out.push(Number(e));
    } catch {
      /* gone */
    }
  }
  return out.sort((a, b) => a - b);
}

/** uid slots (real, effective, saved, fs) of a process */
const uids = (pid: number) => /^Uid:\s+(.*)$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1].split(/\s+/).map(Number);

/** unix sockets bound under `dir` (from /proc/net/unix: every socket of the machine's namespace) */
const socketsUnder = (dir: string) => readFileSync("/proc/net/unix", "utf8").split("\n").filter((l) => l.includes(dir));

async function login(d: Daemon, user: string): Promise<Client> {
  const c = await Client.tls(d.port, "127.0.0.1", freshLoopback());
  expect((await c.cmd(`LOGIN ${user} pw`)).at(-1)).toMatch(/^t\d+ OK/);
  return c;
}

describe.runIf(isRoot)("spare user processes", () => {
  let dir: string;
  let pwfile: string;
  beforeAll(async () => {
    for (const u of [UA, UB]) execFileSync("useradd", ["--no-create-home", "--user-group", "--shell", "/usr/sbin/nologin", u]);
    dir = tempDir();
    makeMaildir(dir, "ma", id(UA), 0o700);
    makeMaildir(dir, "mb", id(UB), 0o700);
    makeMaildir(dir, "mroot", { uid: 0, gid: 0 }, 0o700);
    const h = await pbkdf2Encode("pw", "salt", 1000);
    pwfile = writePwfile(dir, [`a:${h}:ma`, `b:${h}:mb`, `r:${h}:mroot`]);
  });
  afterAll(() => {
    for (const u of [UA, UB]) spawnSync("userdel", [u]);
  });

  it("spares wait as root with no socket; a login takes one, which becomes the user; the pool refills", async () => {
    const { cert, key } = makeCert();
    const run = `${dir}/run-pool`;
    const d = await startDaemon(["--cert", cert, "--key", key, "--pwfile", pwfile, "--run-dir", run, "--user-pool", "2"]);
    try {
      const root = d.proc.pid!;
      expect(await until(() => spares(root).length === 2)).toBe(true);
      const before = spares(root);
      for (const p of before) expect(uids(p)).toEqual([0, 0, 0, 0]);
      expect(socketsUnder(run)).toEqual([]);
      expect(userProcesses(root).size).toBe(0);

      const ca = await login(d, "a");
      expect((await ca.cmd("SELECT INBOX")).at(-1)).toMatch(/ OK /);
      const pa = userProcesses(root).get("a")!;
      expect(pa).toHaveLength(1);
      expect(before).toContain(pa[0]); // served by a spare started before the login
      const who = id(UA);
      expect(uids(pa[0])).toEqual([who.uid, who.uid, who.uid, who.uid]);
      expect(socketsUnder(run).length).toBeGreaterThan(0);
      // One spare was used: another is started behind it, and the unused one still waits as root.
      expect(await until(() => spares(root).length === 2 && !spares(root).includes(pa[0]))).toBe(true);
      for (const p of spares(root)) expect(uids(p)).toEqual([0, 0, 0, 0]);

      // A second user gets another process, with its own identity.
      const cb = await login(d, "b");
      const pb = userProcesses(root).get("b")!;
      expect(pb[0]).not.toBe(pa[0]);
      expect(uids(pb[0])[0]).toBe(id(UB).uid);
      await ca.cmd("LOGOUT");
      await cb.cmd("LOGOUT");
    } finally {
      expect(await d.stop()).toBe(0);
    }
  });

  it("a spare that dies is replaced; mail owned by root is refused before a spare is given it", async () => {
    const { cert, key } = makeCert();
    const d = await startDaemon(["--cert", cert, "--key", key, "--pwfile", pwfile, "--run-dir", `${dir}/run-die`,
      "--user-pool", "1"]);
    try {
      const root = d.proc.pid!;
      expect(await until(() => spares(root).length === 1)).toBe(true);
      const [first] = spares(root);
      process.kill(first, "SIGKILL");
      expect(await until(() => spares(root).length === 1 && spares(root)[0] !== first)).toBe(true);

      const c = await Client.tls(d.port, "127.0.0.1", freshLoopback());
      expect((await c.cmd("LOGIN r pw")).at(-1)).toMatch(/^t\d+ NO \[UNAVAILABLE\]/);
      // (the log line may reach us a moment after the answer)
      expect(await until(() => /owned by root/.test(d.stderr() + d.logs()))).toBe(true);
      expect(userProcesses(root).size).toBe(0);
      expect(d.logs()).not.toContain("user process assigned"); // no spare was given that mail
      // The pool is whole again and the connection still usable: a real user logs in on it.
      expect(await until(() => spares(root).length === 1)).toBe(true);
      expect((await c.cmd("LOGIN a pw")).at(-1)).toMatch(/^t\d+ OK/);
      expect(uids(userProcesses(root).get("a")![0])[0]).toBe(id(UA).uid);
      await c.cmd("LOGOUT");
    } finally {
      expect(await d.stop()).toBe(0);
    }
  });

  it("--user-pool 0 starts no spare; each first login starts its own process", async () => {
    const { cert, key } = makeCert();
    const d = await startDaemon(["--cert", cert, "--key", key, "--pwfile", pwfile, "--run-dir", `${dir}/run-none`,
      "--user-pool", "0"]);
    try {
      const root = d.proc.pid!;
      const c = await login(d, "b");
      expect((await c.cmd("SELECT INBOX")).at(-1)).toMatch(/ OK /);
      expect(uids(userProcesses(root).get("b")![0])[0]).toBe(id(UB).uid);
      expect(spares(root)).toEqual([]);
      await c.cmd("LOGOUT");
    } finally {
      expect(await d.stop()).toBe(0);
    }
  });

  it("more first logins at once than processes may load at once: all are served, each by its own process (--processes-per-owner 0)", async () => {
    const { cert, key } = makeCert();
    const h = await pbkdf2Encode("pw", "salt", 1000);
    const names = ["c1", "c2", "c3", "c4", "c5", "c6"];
    for (const n of names) makeMaildir(dir, `m${n}`);
    const pw = writePwfile(`${dir}`, names.map((n) => `${n}:${h}:m${n}`));
    const d = await startDaemon(["--cert", cert, "--key", key, "--pwfile", pw, "--run-dir", `${dir}/run-burst`,
      "--user-pool", "1", "--processes-per-owner", "0"]);
    try {
      const clients = await Promise.all(names.map(async (n) => {
        const c = await login(d, n);
        expect((await c.cmd("SELECT INBOX")).at(-1)).toMatch(/ OK /);
        return c;
      }));
      const procs = userProcesses(d.proc.pid!);
      expect([...procs.keys()].sort()).toEqual(names);
      expect(new Set([...procs.values()].flat()).size).toBe(names.length);
      for (const c of clients) await c.cmd("LOGOUT");
    } finally {
      expect(await d.stop()).toBe(0);
    }
  });

  it("a bad --user-pool is a configuration error", async () => {
    const { cert, key } = makeCert();
    await expect(startDaemon(["--cert", cert, "--key", key, "--pwfile", pwfile, "--user-pool", "lots"]))
      .rejects.toThrow(/invalid user pool "lots"/);
  });
});
