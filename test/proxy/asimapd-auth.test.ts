// asimapd-auth answering nginx's auth_http requests, as a real process over real HTTP.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { utimesSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { pbkdf2Encode } from "../../src/daemon/hashers.js";
import { runCli, tempDir, until, writePwfile } from "../daemon/harness.js";
import { createServer, type Server } from "node:net";
import { askAuth, freePort, startAuth, type Proc } from "./cluster-harness.js";

let auth: Proc;
let shardMap: string;
/** stand-ins for backends: they only need to take connections (asimapd-auth probes them) */
const listeners: Server[] = [];
const port: Record<string, number> = {};
function backendAt(host: string): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer((c) => c.destroy()).listen(0, host, () => resolve((s.address() as { port: number }).port));
    listeners.push(s);
  });
}
const at = (host: string) => `${host}:${port[host]}`;

beforeAll(async () => {
  for (const host of ["127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.9"]) port[host] = await backendAt(host);
  const dir = tempDir();
  const h = await pbkdf2Encode("pw", "salt", 1000);
  const sp = await pbkdf2Encode("p w%", "salt", 1000);
  const down = await freePort();
  writePwfile(dir, [`alice:${h}:alice-mail`, `bob:${h}:bob-mail:${at("127.0.0.3")}`, `carol:${h}:carol-mail`,
    `dave:${h}:dave-mail:localhost:${port["127.0.0.1"]}`, `erin:${h}:erin-mail`, `spacey:${sp}:s-mail:${at("127.0.0.2")}`,
    `disabled:!x:d-mail`, `frank:${h}:f-mail:127.0.0.1:${down}`]);
  shardMap = path.join(dir, "shards");
  writeFileSync(shardMap, `# user backend\nalice ${at("127.0.0.2")}\nbob   ${at("127.0.0.4")}\n* ${at("127.0.0.9")}\n`);
  auth = await startAuth(["--pwfile", path.join(dir, "pwfile"), "--shard-map", shardMap]);
});
afterAll(async () => {
  await auth?.stop();
  for (const l of listeners) l.close();
});

const login = (user: string, pass: string, ip = "198.51.100.1") =>
  askAuth(auth.port, { "Auth-User": user, "Auth-Pass": pass, "Client-IP": ip });

describe("asimapd-auth", () => {
  it("sends a user to the backend the shard map names, else the password file's, else the map's *", async () => {
    expect(await login("alice", "pw")).toEqual({ "auth-status": "OK", "auth-server": "127.0.0.2", "auth-port": String(port["127.0.0.2"]) });
    // the map wins over the password file's fourth field
    expect(await login("bob", "pw")).toMatchObject({ "auth-server": "127.0.0.4", "auth-port": String(port["127.0.0.4"]) });
    expect(await login("carol", "pw")).toMatchObject({ "auth-server": "127.0.0.9", "auth-port": String(port["127.0.0.9"]) });
    // a name is resolved: nginx wants an address
    writeFileSync(shardMap, `alice ${at("127.0.0.2")}\n`);
    bump(shardMap);
    expect(await login("dave", "pw")).toMatchObject({ "auth-status": "OK", "auth-server": "127.0.0.1", "auth-port": String(port["127.0.0.1"]) });
  });

  it("re-reads the shard map when it changes: a moved user goes to the new backend", async () => {
    writeFileSync(shardMap, `alice ${at("127.0.0.3")}\nnot a line\nbob nowhere\n`);
    bump(shardMap);
    expect(await login("alice", "pw")).toMatchObject({ "auth-server": "127.0.0.3" });
    expect(await until(() => /bad line in shard map/.test(auth.logs()) && /"line":3/.test(auth.logs()))).toBe(true);
  });

  it("a user no file places gets [UNAVAILABLE], not a guess", async () => {
    expect(await login("erin", "pw")).toEqual({ "auth-status": "[UNAVAILABLE] Your mail is not available right now; try again later.", "auth-wait": "1" });
    expect(await until(() => auth.logs().includes('"msg":"no backend for the user"'))).toBe(true);
  });

  it("a user whose backend takes no connections gets [UNAVAILABLE] (nginx would just hang up)", async () => {
    expect(await login("frank", "pw")).toEqual({ "auth-status": "[UNAVAILABLE] Your mail is not available right now; try again later.", "auth-wait": "1" });
    expect(await until(() => auth.logs().includes('"err":"ECONNREFUSED","msg":"the user\'s backend is down"'))).toBe(true);
  });

  it("unknown user, wrong password and disabled account: the same answer", async () => {
    const wrong = await login("alice", "nope", "198.51.100.2");
    expect(wrong).toEqual({ "auth-status": "[AUTHENTICATIONFAILED] Authentication failed.", "auth-wait": "1" });
    expect(await login("nosuchuser", "nope", "198.51.100.3")).toEqual(wrong);
    expect(await login("disabled", "", "198.51.100.4")).toEqual(wrong);
    // a hash was verified each time: the stored one, or a dummy as costly as a new one
    const rejected = (user: string) => auth.logs().split("\n").find((l) => l.includes(`"user":"${user}"`) && l.includes("rejected by its hash"));
    expect(await until(() => rejected("disabled") !== undefined)).toBe(true);
    expect(rejected("alice")).toContain('"against":"stored"');
    expect(rejected("nosuchuser")).toContain('"against":"dummy"');
    expect(rejected("disabled")).toContain('"against":"dummy"');
  });

  it("reads nginx's escaped login", async () => {
    expect(await login("spacey", "p%20w%25")).toMatchObject({ "auth-status": "OK", "auth-server": "127.0.0.2" });
  });

  it("throttles a user per Client-IP and per name, as asimapd does", async () => {
    for (let i = 0; i < 5; i++) await login("carol", "wrong", "198.51.100.50");
    const throttled = await login("carol", "pw", "198.51.100.50");
    expect(throttled["auth-status"]).toBe("[AUTHENTICATIONFAILED] Authentication failed.");
    expect(await until(() => /"user":"carol","addr":"198.51.100.50","msg":"login refused: too many failures"/.test(auth.logs()))).toBe(true);
    // carol's other addresses are not locked out by one address guessing: her password is taken
    // there (her backend is not running in this test, hence UNAVAILABLE rather than OK)
    expect((await login("carol", "pw", "198.51.100.51"))["auth-status"]).toMatch(/^\[UNAVAILABLE\]/);
    // the guessing address is also counted: another user from it is refused after its 6th failure
    await login("nosuch", "x", "198.51.100.50");
    expect((await login("alice", "pw", "198.51.100.50"))["auth-status"]).not.toBe("OK");
    expect((await login("alice", "pw", "198.51.100.52"))["auth-status"]).toBe("OK");
  });

  it("refuses other methods and protocols clearly", async () => {
    expect((await askAuth(auth.port, { "Auth-Method": "cram-md5", "Auth-User": "alice", "Auth-Pass": "x" }))["auth-status"])
      .toBe("Unsupported authentication method");
    expect(await askAuth(auth.port, { "Auth-Protocol": "smtp", "Auth-User": "alice", "Auth-Pass": "pw" }))
      .toEqual({ "auth-status": "Only IMAP is served here" });
  });

  it("never logs a password", () => {
    expect(auth.logs()).not.toMatch(/"pw"|nope|p%20w/);
  });

  it("a missing password file or a bad option stops the start with one line and exit 2", async () => {
    const r = await runCli("asimapd-auth.js", ["--pwfile", "/nonexistent/pwfile"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^asimapd-auth: cannot read .*\/nonexistent\/pwfile/);
    expect((await runCli("asimapd-auth.js", ["--port", "x"])).stderr).toMatch(/invalid port/);
  });
});

function bump(f: string): void {
  const t = new Date(Date.now() + Math.floor(Math.random() * 100_000));
  utimesSync(f, t, t);
}
