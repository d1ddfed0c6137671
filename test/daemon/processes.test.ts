// User processes: one per user, shared by that user's connections, lingering, replaced after
// a crash; SIGTERM to the root says BYE to everyone; traces written per user.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chmodSync, existsSync, readdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import * as path from "node:path";
import { pbkdf2Encode } from "../../src/daemon/hashers.js";
import { parseTrace } from "../../src/trace/reader.js";
import {
  Client, freshLoopback, loginTls as login, isRoot, makeCert, makeMaildir, startDaemon, tempDir, until, userProcesses, writePwfile,
  type Daemon,
} from "./harness.js";

let dir: string;
let pwfile: string;

beforeAll(async () => {
  dir = tempDir();
  makeMaildir(dir, "alice-mail");
  makeMaildir(dir, "bob-mail");
  const h = await pbkdf2Encode("pw", "salt", 1000);
  pwfile = writePwfile(dir, [`alice:${h}:alice-mail`, `bob:${h}:bob-mail`, `ghost:${h}:no-such-dir`]);
});

describe("one process per user (--processes-per-owner 0)", () => {
  let d: Daemon;
  beforeAll(async () => {
    const { cert, key } = makeCert();
    d = await startDaemon(["--cert", cert, "--key", key, "--pwfile", pwfile, "--linger", "30m", "--processes-per-owner", "0",
      "--trace", "--trace-dir", path.join(dir, "traces")]);
  });
  afterAll(async () => {
    await d?.stop();
  });

  it("two connections of a user share one process; another user gets another", async () => {
    const [a1, a2] = await Promise.all([login(d, "alice"), login(d, "alice")]); // simultaneous first logins
    const b = await login(d, "bob");
    const procs = userProcesses(d.proc.pid!);
    expect(procs.get("alice")).toHaveLength(1);
    expect(procs.get("bob")).toHaveLength(1);
    expect(procs.get("alice")![0]).not.toBe(procs.get("bob")![0]);
    // each session is live in its process
    for (const c of [a1, a2, b]) expect((await c.cmd("SELECT INBOX")).at(-1)).toMatch(/ OK /);
    for (const c of [a1, a2, b]) c.close();
  });

  it("kill -9 of a user process drops only its clients, and the next login starts a new one", async () => {
    const a = await login(d, "alice");
    const b = await login(d, "bob");
    const before = userProcesses(d.proc.pid!);
    const alicePid = before.get("alice")![0];
    process.kill(alicePid, "SIGKILL");
    expect(await a.closedOrTimeout()).toBe(true);
    expect((await b.cmd("NOOP")).at(-1)).toMatch(/ OK /);
    const a2 = await login(d, "alice");
    expect((await a2.cmd("SELECT INBOX")).at(-1)).toMatch(/ OK /);
    const after = userProcesses(d.proc.pid!);
    expect(after.get("alice")).toHaveLength(1);
    expect(after.get("alice")![0]).not.toBe(alicePid);
    expect(after.get("bob")).toEqual(before.get("bob"));
    a2.close();
    b.close();
  });

  it("a user whose mail directory is missing gets NO [UNAVAILABLE] and may retry", async () => {
    const c = await Client.tls(d.port, "127.0.0.1", freshLoopback());
    expect((await c.cmd("LOGIN ghost pw")).at(-1)).toMatch(/NO \[UNAVAILABLE\]/);
    expect((await c.cmd("NOOP")).at(-1)).toMatch(/ OK /);
    c.close();
  });

  it("commands pipelined right after LOGIN reach the user process", async () => {
    const c = await Client.tls(d.port, "127.0.0.1", freshLoopback());
    c.write("p1 LOGIN bob pw\r\np2 SELECT INBOX\r\np3 NOOP\r\n");
    expect(await c.waitFor((l) => l.startsWith("p1 "))).toMatch(/OK/);
    expect(await c.waitFor((l) => l.startsWith("p2 "))).toMatch(/OK/);
    expect(await c.waitFor((l) => l.startsWith("p3 "))).toMatch(/OK/);
    c.close();
  });

  it("traces post-login traffic to <trace-dir>/<user>-asimapd.trace with the real client address", async () => {
    const src = freshLoopback();
    const c = await Client.tls(d.port, "127.0.0.1", src);
    await c.cmd("LOGIN bob pw");
    await c.cmd("NOOP", "traced1");
    await c.cmd("LOGOUT");
    const f = path.join(dir, "traces", "bob-asimapd.trace");
    await until(() => existsSync(f) && readFileSync(f, "utf8").includes("traced1 OK"));
    const text = readFileSync(f, "utf8");
    const t = parseTrace(text, f);
    expect(t.header).toMatchObject({ format: "1.0", username: "bob" });
    expect(t.records.some((r) => r.kind === "RECEIVED" && r.data === "traced1 NOOP")).toBe(true);
    expect(text).toContain(`"remote":"${src}:`);
    expect(text).not.toMatch(/LOGIN bob pw/); // the login itself is never traced

    // SIGUSR1 toggles tracing in the user process
    const bobPid = userProcesses(d.proc.pid!).get("bob")![0];
    process.kill(bobPid, "SIGUSR1");
    const c2 = await login(d, "bob");
    await c2.cmd("NOOP", "untraced2");
    process.kill(bobPid, "SIGUSR1");
    await c2.cmd("NOOP", "traced3");
    await until(() => readFileSync(f, "utf8").includes("traced3 OK"));
    const after = readFileSync(f, "utf8");
    expect(after).not.toContain("untraced2");
    expect(after.match(/"trace_format":"1.0"/g)!.length).toBeGreaterThanOrEqual(2);
    // SIGUSR1 to the root switches every user process (here off: started with --trace)
    const offs = () => d.logs().split('"trace":false').length;
    const before = offs();
    process.kill(d.proc.pid!, "SIGUSR1");
    expect(await until(() => d.logs().includes("SIGUSR1: tracing off") && offs() > before + 1)).toBe(true);
    await c2.cmd("NOOP", "untraced4");
    await c2.cmd("LOGOUT");
    expect(readFileSync(f, "utf8")).not.toContain("untraced4");
    c2.close();
  });
});

describe("password file changes and user-process node options", () => {
  it("a user added to the running server's password file can log in; ASIMAP_USER_NODE_OPTIONS reaches user processes", async () => {
    const { cert, key } = makeCert();
    const local = tempDir();
    makeMaildir(local, "carol-mail");
    const h = await pbkdf2Encode("pw", "salt", 1000);
    const pw = writePwfile(local, [`dave:${h}:carol-mail`]);
    const profDir = tempDir();
    chmodSync(profDir, 0o777);
    const d = await startDaemon(["--cert", cert, "--key", key, "--pwfile", pw],
      { ASIMAP_USER_NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profDir}` });
    try {
      const c = await Client.tls(d.port, "127.0.0.1", freshLoopback());
      expect((await c.cmd("LOGIN carol pw")).at(-1)).toMatch(/NO \[AUTHENTICATIONFAILED\]/);
      writeFileSync(pw, `dave:${h}:carol-mail\ncarol:${h}:carol-mail\n`);
      const later = new Date(Date.now() + 2000);
      utimesSync(pw, later, later);
      expect((await c.cmd("LOGIN carol pw")).at(-1)).toMatch(/ OK /);
      c.close();
    } finally {
      expect(await d.stop()).toBe(0);
    }
    expect(readdirSync(profDir).some((f) => f.endsWith(".cpuprofile"))).toBe(true);
  });
});

describe("the root only talks to the real user process", () => {
  it("a socket swapped for a link to another service gets no byte; the login still works", async () => {
    const { cert, key } = makeCert();
    const run = path.join(tempDir(), "run");
    const d = await startDaemon(["--cert", cert, "--key", key, "--pwfile", pwfile, "--run-dir", run]);
    const decoyDir = tempDir();
    let received = 0;
    let connections = 0;
    const decoy = createServer((s) => { connections++; s.on("data", (b) => (received += b.length)); });
    await new Promise<void>((res) => decoy.listen(path.join(decoyDir, "other.sock"), () => res()));
    try {
      const a = await login(d, "alice");
      a.close();
      const pid = userProcesses(d.proc.pid!).get("alice")![0];
      // alice's mail has one owner with bob's: their processes' directory is the owner's
      const sock = path.join(run, isRoot ? "uid-65534-65534" : "shared", `imap-${pid}.sock`);
      expect(existsSync(sock)).toBe(true);
      rmSync(sock);
      symlinkSync(path.join(decoyDir, "other.sock"), sock);
      const a2 = await login(d, "alice"); // the root gives up on that process and starts a new one
      expect((await a2.cmd("NOOP")).at(-1)).toMatch(/ OK /);
      a2.close();
      expect(connections).toBe(1);
      expect(received).toBe(0);
    } finally {
      decoy.close();
      await d.stop();
    }
  });
});

describe("linger and shutdown", () => {
  it("a user process exits after the linger time with no connections", async () => {
    const { cert, key } = makeCert();
    const d = await startDaemon(["--cert", cert, "--key", key, "--pwfile", pwfile, "--linger", "300ms"]);
    try {
      const a = await login(d, "alice");
      const pid = userProcesses(d.proc.pid!).get("alice")![0];
      expect(pid).toBeGreaterThan(0);
      await a.cmd("LOGOUT");
      expect(await until(() => !userProcesses(d.proc.pid!).has("alice"))).toBe(true);
      // and the next login starts a fresh one
      const a2 = await login(d, "alice");
      expect((await a2.cmd("NOOP")).at(-1)).toMatch(/ OK /);
      a2.close();
    } finally {
      await d.stop();
    }
  });

  it("SIGTERM: every client gets * BYE, user processes exit, the root exits 0", async () => {
    const { cert, key } = makeCert();
    const d = await startDaemon(["--cert", cert, "--key", key, "--pwfile", pwfile]);
    const a = await login(d, "alice");
    await a.cmd("SELECT INBOX");
    const pre = await Client.tls(d.port, "127.0.0.1", freshLoopback());
    const pids = [...userProcesses(d.proc.pid!).values()].flat();
    expect(pids).toHaveLength(1);
    expect(await d.stop()).toBe(0);
    expect(await a.waitFor((l) => l.startsWith("* BYE"))).toBeTruthy();
    expect(await pre.waitFor((l) => l.startsWith("* BYE"))).toBeTruthy();
    for (const p of pids) expect(existsSync(`/proc/${p}`)).toBe(false);
  });
});
