// Users whose mail has one owner share a user process (--processes-per-owner): each sees only
// its own mail and traces, one user's engine lingers out while another's sessions go on, and a
// user comes back to the same process; two processes of one owner split the users.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { connect as netConnect } from "node:net";
import * as path from "node:path";
import {
  Client, freshLoopback, loginTls as login, makeCert, startDaemon, tempDir, until, userProcesses, usersWithMail,
  type Daemon,
} from "./harness.js";

let dir: string;
let pwfile: string;

beforeAll(async () => {
  dir = tempDir();
  pwfile = await usersWithMail(dir, ["alice", "bob", "carol"]);
});

describe("one process for the users of one mail owner (--processes-per-owner 1)", () => {
  let d: Daemon;
  beforeAll(async () => {
    const { cert, key } = makeCert();
    d = await startDaemon(["--cert", cert, "--key", key, "--pwfile", pwfile, "--linger", "500ms",
      "--processes-per-owner", "1", "--trace", "--trace-dir", path.join(dir, "traces")]);
  });
  afterAll(async () => {
    await d?.stop();
  });

  it("serves each user its own mail and traces from one process", async () => {
    const a = await login(d, "alice");
    const b = await login(d, "bob");
    const procs = userProcesses(d.proc.pid!);
    expect(procs.get("alice")).toHaveLength(1);
    expect(procs.get("bob")).toEqual(procs.get("alice"));

    expect((await a.cmd("CREATE alice-only", "mk1")).at(-1)).toMatch(/^mk1 OK/);
    expect(existsSync(path.join(dir, "alice-mail", "alice-only"))).toBe(true);
    expect(existsSync(path.join(dir, "bob-mail", "alice-only"))).toBe(false);
    expect((await b.cmd('LIST "" "*"')).join("\n")).not.toContain("alice-only");
    expect((await a.cmd('LIST "" "*"')).join("\n")).toContain("alice-only");
    // a message appended by bob is in bob's INBOX only
    const before = (await a.cmd("SELECT INBOX")).find((l) => / EXISTS$/.test(l));
    expect((await b.cmd("APPEND INBOX {21+}\r\nSubject: bobs\r\n\r\nhi\r\n")).at(-1)).toMatch(/ OK \[APPENDUID/);
    expect((await a.cmd("NOOP")).some((l) => / EXISTS$/.test(l) && l !== before)).toBe(false);

    await a.cmd("NOOP", "alicetag");
    await b.cmd("NOOP", "bobtag");
    const ta = path.join(dir, "traces", "alice-asimapd.trace");
    const tb = path.join(dir, "traces", "bob-asimapd.trace");
    expect(await until(() => existsSync(ta) && existsSync(tb) &&
      readFileSync(ta, "utf8").includes("alicetag OK") && readFileSync(tb, "utf8").includes("bobtag OK"))).toBe(true);
    expect(readFileSync(ta, "utf8")).not.toContain("bobtag");
    expect(readFileSync(tb, "utf8")).not.toContain("alicetag");
    a.close();
    b.close();
  });

  it("a user's engine lingers out while another's sessions go on; the user comes back to the same process", async () => {
    const a = await login(d, "alice");
    const b = await login(d, "bob");
    const pid = userProcesses(d.proc.pid!).get("alice")![0];
    await b.cmd("LOGOUT");
    // bob is gone from the process (its title lists whom it serves), alice's session is not
    expect(await until(() => !userProcesses(d.proc.pid!).has("bob") && userProcesses(d.proc.pid!).has("alice"))).toBe(true);
    expect((await a.cmd("NOOP")).at(-1)).toMatch(/ OK /);
    const b2 = await login(d, "bob");
    expect((await b2.cmd("SELECT INBOX")).at(-1)).toMatch(/ OK /);
    expect(userProcesses(d.proc.pid!).get("bob")).toEqual([pid]);
    await b2.cmd("LOGOUT");
    await a.cmd("LOGOUT");
    // nobody left: the process ends
    expect(await until(() => !existsSync(`/proc/${pid}`))).toBe(true);
    expect(userProcesses(d.proc.pid!).size).toBe(0);
  });

  it("kill -9 of the shared process drops its clients; the next logins start a new one", async () => {
    const a = await login(d, "alice");
    const b = await login(d, "bob");
    const pid = userProcesses(d.proc.pid!).get("alice")![0];
    process.kill(pid, "SIGKILL");
    expect(await a.closedOrTimeout()).toBe(true);
    expect(await b.closedOrTimeout()).toBe(true);
    const b2 = await login(d, "bob");
    expect((await b2.cmd("SELECT INBOX")).at(-1)).toMatch(/ OK /);
    const now = userProcesses(d.proc.pid!).get("bob")!;
    expect(now).toHaveLength(1);
    expect(now[0]).not.toBe(pid);
    b2.close();
  });
});

describe("a shared process outlives a broken hand-over", () => {
  it("a connection reset before its hand-off header ends nobody's sessions", async () => {
    const { cert, key } = makeCert();
    const run = path.join(tempDir(), "run");
    const d = await startDaemon(["--cert", cert, "--key", key, "--pwfile", pwfile, "--run-dir", run]);
    try {
      const a = await login(d, "alice");
      const pid = userProcesses(d.proc.pid!).get("alice")![0];
      const dir = path.join(run, readdirSync(run)[0]);
      const sock = path.join(dir, readdirSync(dir).find((f) => f === `imap-${pid}.sock`)!);
      // connect, leave the process's proof line unread, and close: the process's socket sees a reset
      for (let i = 0; i < 3; i++) {
        const s = netConnect(sock);
        s.pause();
        await new Promise((r) => setTimeout(r, 100));
        s.destroy();
      }
      await new Promise((r) => setTimeout(r, 300));
      expect((await a.cmd("NOOP")).at(-1)).toMatch(/ OK /);
      expect(userProcesses(d.proc.pid!).get("alice")).toEqual([pid]);
      a.close();
    } finally {
      expect(await d.stop()).toBe(0);
    }
  });
});

describe("two processes for one mail owner (--processes-per-owner 2)", () => {
  it("the first two users get a process each, the third joins one of them", async () => {
    const { cert, key } = makeCert();
    const d = await startDaemon(["--cert", cert, "--key", key, "--pwfile", pwfile, "--processes-per-owner", "2"]);
    try {
      const cs = [await login(d, "alice"), await login(d, "bob"), await login(d, "carol")];
      const p = userProcesses(d.proc.pid!);
      const [a, b, c] = ["alice", "bob", "carol"].map((u) => p.get(u)![0]);
      expect(a).not.toBe(b);
      expect([a, b]).toContain(c);
      for (const x of cs) expect((await x.cmd("SELECT INBOX")).at(-1)).toMatch(/ OK /);
      for (const x of cs) x.close();
    } finally {
      expect(await d.stop()).toBe(0);
    }
  });
});
