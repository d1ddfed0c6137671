// The root's memory of verified passwords (Dovecot's auth_cache) and the gate in front of the
// expensive checks, against a real asimapd over real TLS. Evidence of "no hash was run" is the
// root's debug log line, never a time.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makePassword, PBKDF2_DEFAULT_ITERATIONS } from "../../src/daemon/hashers.js";
import { Client, freshLoopback, makeCert, makeMaildir, startDaemon, tempDir, writePwfile, type Daemon } from "./harness.js";

let d: Daemon;
let dir: string;
const lines: Record<string, string> = {};

async function setLine(user: string, password: string, rounds = 200_000): Promise<void> {
  lines[user] = `${user}:${await makePassword(password, rounds)}:mail`;
  writePwfile(dir, Object.values(lines));
}

beforeAll(async () => {
  dir = tempDir();
  makeMaildir(dir, "mail");
  // alice has Django's default (1.2 million rounds), the others fewer so the test stays short
  await setLine("alice", "right-a", PBKDF2_DEFAULT_ITERATIONS);
  for (const u of ["bob", "carol", "dave"]) await setLine(u, `right-${u[0]}`);
  const { cert, key } = makeCert();
  d = await startDaemon(["--cert", cert, "--key", key, "--pwfile", `${dir}/pwfile`, "--run-dir", `${dir}/run`, "--debug"]);
}, 60_000);
afterAll(async () => {
  await d?.stop();
});

/** The root's log lines about one user's password checks, in order, once `n` of them have
 *  reached the log (the root writes its log asynchronously: the last line may come after the
 *  client's answer). */
async function checks(user: string, n: number): Promise<string[]> {
  for (let i = 0; i < 100 && checksNow(user).length < n; i++) await new Promise((r) => setTimeout(r, 50));
  return checksNow(user);
}
function checksNow(user: string): string[] {
  return d.logs().trim().split("\n").map((l) => JSON.parse(l) as { msg: string; user?: string })
    .filter((l) => l.user === user && /^password /.test(l.msg)).map((l) => l.msg);
}

async function login(user: string, password: string, addr = freshLoopback()): Promise<string> {
  const c = await Client.tls(d.port, "127.0.0.1", addr);
  const r = (await c.cmd(`LOGIN ${user} ${password}`)).at(-1)!;
  c.close();
  return r;
}

describe("verified passwords are remembered", () => {
  it("the second login with the same password runs no hash", async () => {
    expect(await login("alice", "right-a")).toMatch(/OK \[CAPABILITY/);
    expect(await login("alice", "right-a")).toMatch(/OK \[CAPABILITY/);
    expect(await login("alice", "right-a")).toMatch(/OK \[CAPABILITY/);
    expect(await checks("alice", 3)).toEqual(["password verified by its hash", "password verified from cache",
      "password verified from cache"]);
  });

  it("a wrong password is checked by the hash every time and leaves the right one remembered", async () => {
    expect(await login("bob", "right-b")).toMatch(/OK \[CAPABILITY/);
    expect(await login("bob", "wrong")).toMatch(/NO \[AUTHENTICATIONFAILED\]/);
    expect(await login("bob", "wrong")).toMatch(/NO \[AUTHENTICATIONFAILED\]/);
    expect(await login("bob", "right-b")).toMatch(/OK \[CAPABILITY/);
    expect(await checks("bob", 4)).toEqual(["password verified by its hash", "password rejected by its hash",
      "password rejected by its hash", "password verified from cache"]);
  });

  it("a changed line in the password file drops what was remembered", async () => {
    expect(await login("carol", "right-c")).toMatch(/OK \[CAPABILITY/);
    await setLine("carol", "new-c");
    expect(await login("carol", "right-c")).toMatch(/NO \[AUTHENTICATIONFAILED\]/);
    expect(await login("carol", "new-c")).toMatch(/OK \[CAPABILITY/);
    expect(await login("carol", "new-c")).toMatch(/OK \[CAPABILITY/);
    expect(await checks("carol", 4)).toEqual(["password verified by its hash", "password rejected by its hash",
      "password verified by its hash", "password verified from cache"]);
  });
});

describe("a flood of wrong passwords", () => {
  it("does not hold up a right login from another address", async () => {
    const flooder = freshLoopback();
    const flood = await Promise.all(Array.from({ length: 8 }, () => Client.tls(d.port, "127.0.0.1", flooder)));
    let answered = 0;
    const floods = flood.map((c) => c.cmd("LOGIN bob wrong-again").then((r) => { answered++; return r.at(-1)!; }));
    // dave's hash has never been checked: it needs a turn of its own while the flood waits
    const ok = await login("dave", "right-d");
    const seen = answered;
    expect(ok).toMatch(/OK \[CAPABILITY/);
    // without the gate the 8 checks fill the thread pool's 4 threads before dave's is queued
    expect(seen).toBeLessThan(3);
    for (const r of await Promise.all(floods)) expect(r).toMatch(/NO \[AUTHENTICATIONFAILED\]/);
    for (const c of flood) c.close();
  }, 60_000);
});
