// A real cluster: nginx's mail proxy (TLS on one port, STARTTLS on another, PROXY protocol to the
// backends) in front of three asimapd backends, asimapd-auth telling nginx whose mail is where.
// Clients are Python's imaplib (from chosen loopback addresses), imapflow and a raw client.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { chownSync, renameSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { ImapFlow } from "imapflow";
import { pbkdf2Encode } from "../../src/daemon/hashers.js";
import { Client, freshLoopback, isRoot, makeCert, makeMaildir, ROOT, startDaemon, tempDir, until, userProcesses,
  writePwfile, type Daemon } from "../daemon/harness.js";
import { freePort, startAuth, startNginx, type Proc } from "./cluster-harness.js";

const run = promisify(execFile);
const USERS = Array.from({ length: 30 }, (_, i) => `u${String(i).padStart(2, "0")}`);
const shardOf = (u: string) => Number(u.slice(1)) % 3;

let dir: string;
let pwfile: string;
let shardFile: string;
let cert: { cert: string; key: string };
const plainPorts: number[] = [];
const backends: Daemon[] = [];
let auth: Proc;
let nginx: Proc;
let tlsPort: number;
let starttlsPort: number;
const accounts = new Map<string, string>(); // user → maildir (relative to dir)
let hash: string;

function startBackend(i: number): Promise<Daemon> {
  return startDaemon(["--cert", cert.cert, "--key", cert.key, "--pwfile", pwfile, "--plain-port", String(plainPorts[i]),
    "--trusted-proxies", "127.0.0.1", "--run-dir", path.join(dir, `run${i}`), "--linger", "1s", "--debug"]);
}

function writeShards(place: (u: string) => number): void {
  writeFileSync(shardFile, "# user  backend\n" + USERS.map((u) => `${u} 127.0.0.1:${plainPorts[place(u)]}`).join("\n") + "\n");
}

function writeAccounts(): void {
  writePwfile(dir, [...accounts].map(([u, m]) => `${u}:${hash}:${m}`));
}

beforeAll(async () => {
  dir = tempDir("asimap-cluster-");
  cert = makeCert();
  hash = await pbkdf2Encode("pw", "salt", 1000);
  for (const u of USERS) {
    const mail = makeMaildir(dir, `${u}-mail`);
    // one message only this user has
    const f = path.join(mail, "inbox", "9");
    writeFileSync(f, `From: test@example.com\nTo: ${u}@example.com\nSubject: for user ${u}\n\nHello ${u}.\n`);
    if (isRoot) chownSync(f, 65534, 65534);
    accounts.set(u, `${u}-mail`);
  }
  writeAccounts();
  pwfile = path.join(dir, "pwfile");
  for (let i = 0; i < 3; i++) plainPorts.push(await freePort());
  shardFile = path.join(dir, "shards");
  writeShards(shardOf);
  for (let i = 0; i < 3; i++) backends.push(await startBackend(i));
  auth = await startAuth(["--pwfile", pwfile, "--shard-map", shardFile]);
  tlsPort = await freePort();
  starttlsPort = await freePort();
  nginx = await startNginx(dir, `
load_module /usr/lib/nginx/modules/ngx_mail_module.so;
worker_processes 1;
error_log ${dir}/error.log info;
pid ${dir}/nginx.pid;
events { worker_connections 512; }
mail {
  server_name localhost;
  auth_http 127.0.0.1:${auth.port}/auth;
  proxy_pass_error_message on;
  proxy_protocol on;
  imap_auth plain login;
  imap_capabilities IMAP4rev1 LITERAL+ SASL-IR ID IDLE;
  ssl_certificate ${cert.cert};
  ssl_certificate_key ${cert.key};
  ssl_protocols TLSv1.2 TLSv1.3;
  server { listen 127.0.0.1:${tlsPort} ssl; protocol imap; }
  server { listen 127.0.0.1:${starttlsPort}; protocol imap; starttls only; }
}
`, tlsPort);
}, 60_000);

afterAll(async () => {
  await nginx?.stop();
  await auth?.stop();
  await Promise.all(backends.map((b) => b.stop()));
});

interface Seen { login: string; error?: string; exists?: number; uidvalidity?: string; uids?: string; own?: string[] }

async function imaplib(user: string, password: string, mode: "tls" | "starttls", source: string): Promise<Seen> {
  const port = mode === "tls" ? tlsPort : starttlsPort;
  const { stdout } = await run("python3", [path.join(ROOT, "test/proxy/imaplib_cluster.py"), String(port), mode, user, password, source],
    { timeout: 30_000 });
  return JSON.parse(stdout) as Seen;
}

const loggedIn = (b: Daemon, user: string, source?: string) => b.logs().split("\n").some((l) =>
  l.includes('"msg":"logged in"') && l.includes(`"user":"${user}"`) && (!source || l.includes(`"remote":"${source}:`)));

describe("through nginx", () => {
  it("30 users over three shards: each lands on its own backend and sees only its own mail; the backends log the clients' addresses", async () => {
    const one = async (u: string, i: number) => {
      const source = freshLoopback();
      const seen = await imaplib(u, "pw", i % 2 ? "tls" : "starttls", source);
      expect(seen, u).toMatchObject({ login: "OK", own: [`Subject: for user ${u}`] });
      expect(await until(() => loggedIn(backends[shardOf(u)], u, source)), `${u} on backend ${shardOf(u)} from ${source}`).toBe(true);
      for (const [j, b] of backends.entries()) if (j !== shardOf(u)) expect(loggedIn(b, u), `${u} not on ${j}`).toBe(false);
    };
    for (let i = 0; i < USERS.length; i += 5) await Promise.all(USERS.slice(i, i + 5).map((u, k) => one(u, i + k)));
    // nginx's own address never stands for a client
    for (const b of backends) expect(b.logs()).not.toMatch(/"msg":"logged in"[^\n]*"remote":"127\.0\.0\.1:/);
  });

  it("imapflow over TLS at the proxy", async () => {
    for (const u of ["u01", "u05", "u09"]) {
      const c = new ImapFlow({ host: "127.0.0.1", port: tlsPort, secure: true, tls: { rejectUnauthorized: false },
        auth: { user: u, pass: "pw" }, logger: false });
      await c.connect();
      const lock = await c.getMailboxLock("INBOX");
      try {
        const hits = await c.search({ subject: "for user" });
        expect(hits, u).toHaveLength(1);
        const msg = await c.fetchOne(String((hits as number[])[0]), { envelope: true });
        expect(msg && msg.envelope?.subject).toBe(`for user ${u}`);
      } finally {
        lock.release();
      }
      await c.logout();
    }
  });

  it("a wrong password and an unknown user get the same answer", async () => {
    const c = await Client.tls(tlsPort, "127.0.0.1", freshLoopback());
    const wrong = (await c.cmd("LOGIN u03 wrong", "a1")).at(-1)!;
    const unknown = (await c.cmd("LOGIN nosuchuser wrong", "a1")).at(-1)!;
    expect(wrong).toBe("a1 NO [AUTHENTICATIONFAILED] Authentication failed.");
    expect(unknown).toBe(wrong);
    c.close();
  });

  it("guessing one user's password through the proxy is throttled; other clients, and that user elsewhere, are not held up", async () => {
    const guesser = freshLoopback();
    const c = await Client.tls(tlsPort, "127.0.0.1", guesser);
    for (let i = 0; i < 5; i++) {
      expect((await c.cmd(`LOGIN u04 wrong${i}`)).at(-1)).toMatch(/NO \[AUTHENTICATIONFAILED\]/);
      if (c.closed) break;
    }
    const again = c.closed ? await Client.tls(tlsPort, "127.0.0.1", guesser) : c;
    expect((await again.cmd("LOGIN u04 pw")).at(-1)).toMatch(/NO \[AUTHENTICATIONFAILED\]/);
    expect(await until(() => auth.logs().includes(`"user":"u04","addr":"${guesser}","msg":"login refused: too many failures"`))).toBe(true);
    again.close();
    expect(await imaplib("u07", "pw", "tls", freshLoopback())).toMatchObject({ login: "OK" });
    // the guessed user, from another address, is not locked out
    expect(await imaplib("u04", "pw", "tls", freshLoopback())).toMatchObject({ login: "OK" });
  });

  it("a user moved to another backend keeps UIDVALIDITY and every UID", async () => {
    const before = await imaplib("u00", "pw", "tls", freshLoopback());
    expect(before.login).toBe("OK");
    // stop the user's sessions (done: the client logged out; the engine lingers 1 s), move the
    // mail root, change one line
    expect(await until(() => !userProcesses(backends[0].proc.pid!).has("u00"), 15_000)).toBe(true);
    renameSync(path.join(dir, "u00-mail"), path.join(dir, "u00-moved"));
    accounts.set("u00", "u00-moved");
    writeAccounts();
    writeShards((u) => (u === "u00" ? 1 : shardOf(u)));
    const source = freshLoopback();
    const after = await imaplib("u00", "pw", "starttls", source);
    expect(after).toMatchObject({ login: "OK", uidvalidity: before.uidvalidity, uids: before.uids, own: ["Subject: for user u00"] });
    expect(await until(() => loggedIn(backends[1], "u00", source))).toBe(true);
  });

  it("a backend down: its users get a clear error, the others are served; after its restart all are back", async () => {
    await backends[2].stop();
    const down = await imaplib("u02", "pw", "tls", freshLoopback());
    expect(down.login).toBe("NO");
    expect(down.error).toMatch(/\[UNAVAILABLE\] Your mail is not available right now; try again later\./);
    expect(await imaplib("u01", "pw", "tls", freshLoopback())).toMatchObject({ login: "OK", own: ["Subject: for user u01"] });
    expect(await imaplib("u03", "pw", "starttls", freshLoopback())).toMatchObject({ login: "OK", own: ["Subject: for user u03"] });
    backends[2] = await startBackend(2);
    for (const u of USERS.filter((x) => shardOf(x) === 2)) {
      expect(await imaplib(u, "pw", "tls", freshLoopback()), u).toMatchObject({ login: "OK", exists: 9, own: [`Subject: for user ${u}`] });
    }
  });
});
