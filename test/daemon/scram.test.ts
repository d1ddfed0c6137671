// AUTHENTICATE SCRAM-SHA-256, SCRAM-SHA-256-PLUS and LOGIN against a real asimapd over real TLS,
// from a client of ours that computes its side from RFC 5802 (the outside clients, GNU SASL and
// Python's imaplib, are in sasl-clients.test.ts): channel binding, the gs2 flags, aborts and
// bad base64, one answer for every failure, the throttle, and what reaches logs, traces and the
// user process.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHash, pbkdf2Sync, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import type { TLSSocket } from "node:tls";
import { pbkdf2Encode } from "../../src/daemon/hashers.js";
import { clientProof, credentialsOf, serverSignature } from "../../src/daemon/sasl/scram-keys.js";
import { Client, freshLoopback, tempDir, until, type Daemon } from "./harness.js";
import { startSaslDaemon } from "./sasl-daemon.js";

let d: Daemon;
const traces = tempDir();
const TRACE = path.join(traces, "alice-asimapd.trace");

beforeAll(async () => {
  ({ d } = await startSaslDaemon([`guessed:${await pbkdf2Encode("right", "saltsaltsaltsaltsaltsa", 4096)}:mail`],
    ["--trace", "--trace-dir", traces]));
});
afterAll(async () => {
  await d?.stop();
});

const b64 = (s: string | Buffer) => Buffer.from(s).toString("base64");
const unb64 = (s: string) => Buffer.from(s, "base64").toString("utf8");
/** every SASL string sent or received, to look for in logs and traces */
const saslStrings: string[] = [];
const send = (c: Client, line: string) => {
  saslStrings.push(line.split(" ").at(-1)!); // the base64, without tag and mechanism
  c.write(`${line}\r\n`);
};
/** the next continuation or the tagged answer */
const answer = (c: Client, tag: string) => c.waitFor((l) => l.startsWith("+ ") || l.startsWith(`${tag} `));

interface Scram {
  user: string;
  password: string;
  mech?: string;
  /** gs2 header (default "n,,") and the channel binding data the client binds to */
  gs2?: string;
  cbData?: Buffer;
  /** send the client-first message as an initial response (SASL-IR) */
  initial?: boolean;
  /** what to send after the server-final message instead of an empty line */
  afterFinal?: string;
}

let tags = 0;
/** One SCRAM exchange; `last` is the tagged answer, `serverFirst` the decoded challenge if any. */
async function scram(c: Client, o: Scram): Promise<{ last: string; serverFirst?: string; verified?: boolean }> {
  const tag = `s${++tags}`;
  const mech = o.mech ?? "SCRAM-SHA-256";
  const gs2 = o.gs2 ?? "n,,";
  const bare = `n=${o.user},r=${randomBytes(12).toString("base64")}`;
  let r: string;
  if (o.initial) {
    send(c, `${tag} AUTHENTICATE ${mech} ${b64(gs2 + bare)}`);
    r = await answer(c, tag);
  } else {
    c.write(`${tag} AUTHENTICATE ${mech}\r\n`);
    r = await answer(c, tag);
    if (r !== "+ ") return { last: r };
    send(c, b64(gs2 + bare));
    r = await answer(c, tag);
  }
  if (!r.startsWith("+ ")) return { last: r };
  const serverFirst = unb64(r.slice(2));
  saslStrings.push(r.slice(2));
  const f = Object.fromEntries(serverFirst.split(",").map((a) => [a[0], a.slice(2)]));
  const salted = pbkdf2Sync(o.password, Buffer.from(f.s, "base64"), Number(f.i), 32, "sha256");
  const withoutProof = `c=${b64(Buffer.concat([Buffer.from(gs2), o.cbData ?? Buffer.alloc(0)]))},r=${f.r}`;
  const authMessage = `${bare},${serverFirst},${withoutProof}`;
  send(c, b64(`${withoutProof},p=${b64(clientProof(salted, authMessage))}`));
  r = await answer(c, tag);
  if (!r.startsWith("+ ")) return { last: r, serverFirst };
  const verified = unb64(r.slice(2)) === `v=${b64(serverSignature(credentialsOf(Buffer.alloc(0), 0, salted), authMessage))}`;
  c.write(`${o.afterFinal ?? ""}\r\n`);
  return { last: await c.waitFor((l) => l.startsWith(`${tag} `)), serverFirst, verified };
}

/** tls-server-end-point as the client computes it: SHA-256 of the certificate it was shown */
const endPoint = (c: Client) => createHash("sha256").update((c.socket as TLSSocket).getPeerCertificate().raw).digest();

describe("capabilities", () => {
  it("-PLUS over TLS only; SCRAM, PLAIN and LOGIN on a loopback plain connection", async () => {
    const t = await Client.tls(d.port, "127.0.0.1", freshLoopback());
    expect((await t.cmd("CAPABILITY"))[0]).toContain("AUTH=SCRAM-SHA-256-PLUS AUTH=SCRAM-SHA-256 AUTH=PLAIN AUTH=LOGIN");
    t.close();
    const p = await Client.plain(d.plainPort!, "127.0.0.1", freshLoopback());
    const caps = (await p.cmd("CAPABILITY"))[0];
    expect(caps).toContain("AUTH=SCRAM-SHA-256 AUTH=PLAIN AUTH=LOGIN");
    expect(caps).not.toContain("-PLUS");
    expect((await scram(p, { user: "alice", password: "pencil", mech: "SCRAM-SHA-256-PLUS", gs2: "p=tls-exporter,," })).last)
      .toMatch(/^s\d+ NO \[CANNOT\]/);
    expect((await scram(p, { user: "alice", password: "pencil" })).last).toMatch(/^s\d+ OK \[CAPABILITY/);
    p.close();
  });
});

describe("SCRAM-SHA-256", () => {
  it("logs in with continuations; the server proves it knows the key; a pipelined command goes along", async () => {
    const c = await Client.tls(d.port, "127.0.0.1", freshLoopback());
    // "n": this client cannot bind (the flag a client without TLS access sends)
    const r = await scram(c, { user: "alice", password: "pencil", afterFinal: "\r\np1 SELECT INBOX" });
    expect(r.serverFirst).toMatch(/^r=[^,]+,s=YWJjZGVmZ2hpamtsbW5vcHFyc3R1dg==,i=4096$/);
    expect(r.verified).toBe(true);
    expect(r.last).toMatch(/^s\d+ OK \[CAPABILITY IMAP4rev1 /);
    expect(await c.waitFor((l) => l.startsWith("p1 "))).toMatch(/^p1 OK \[READ-WRITE\]/);
    c.close();
  });

  it("with the client-first message as an initial response (SASL-IR)", async () => {
    const c = await Client.tls(d.port, "127.0.0.1", freshLoopback());
    expect((await scram(c, { user: "alice", password: "pencil", initial: true })).last).toMatch(/^s\d+ OK \[CAPABILITY/);
    c.close();
  });

  it("a client saying 'y' (it thinks we cannot bind) where -PLUS is offered is refused: a downgrade", async () => {
    const c = await Client.tls(d.port, "127.0.0.1", freshLoopback());
    expect((await scram(c, { user: "alice", password: "pencil", gs2: "y,," })).last).toMatch(/^s\d+ NO \[AUTHENTICATIONFAILED\] .*downgrade/);
    // on a loopback plain connection (no -PLUS offered) the same 'y' is right
    const p = await Client.plain(d.plainPort!, "127.0.0.1", freshLoopback());
    expect((await scram(p, { user: "alice", password: "pencil", gs2: "y,," })).last).toMatch(/^s\d+ OK/);
    expect((await c.cmd("NOOP")).at(-1)).toMatch(/OK/);
    c.close();
    p.close();
  });

  it("* cancels at any step with a tagged BAD, bad base64 is BAD, and the connection stays usable", async () => {
    const c = await Client.tls(d.port, "127.0.0.1", freshLoopback());
    c.write("a1 AUTHENTICATE SCRAM-SHA-256\r\n");
    expect(await c.waitFor(() => true)).toBe("+ ");
    c.write(`${b64("n,,n=alice,r=abc")}\r\n`);
    expect(await c.waitFor(() => true)).toMatch(/^\+ \S+$/);
    c.write("*\r\n");
    expect(await c.waitFor(() => true)).toBe("a1 BAD Authentication cancelled.");
    expect((await c.cmd("AUTHENTICATE SCRAM-SHA-256 !!!")).at(-1)).toMatch(/^t\d+ BAD /);
    c.write("a2 AUTHENTICATE SCRAM-SHA-256\r\n");
    await c.waitFor(() => true);
    c.write("bj0=x\r\n");
    expect(await c.waitFor(() => true)).toMatch(/^a2 BAD Invalid base64/);
    expect((await c.cmd(`AUTHENTICATE SCRAM-SHA-256 ${b64("n,,n=alice")}`)).at(-1)).toMatch(/^t\d+ BAD Malformed SCRAM client nonce/);
    expect((await scram(c, { user: "alice", password: "pencil" })).last).toMatch(/^s\d+ OK/);
    c.close();
  });

  it("a wrong password, an unknown user and an account with another hash get one answer", async () => {
    const c = await Client.tls(d.port, "127.0.0.1", freshLoopback());
    const wrong = await scram(c, { user: "alice", password: "pencil2" });
    const ghost = await scram(c, { user: "ghost", password: "x" });
    const ghostAgain = await scram(c, { user: "ghost", password: "x" });
    const md5 = await scram(c, { user: "md5", password: "lètmein" });
    const text = (l: string) => l.replace(/^\S+ /, "");
    expect(text(wrong.last)).toBe("NO [AUTHENTICATIONFAILED] Authentication failed.");
    expect([ghost, md5].map((r) => text(r.last))).toEqual([text(wrong.last), text(wrong.last)]);
    // the fake salt looks like a Django one and does not change between attempts
    const saltOf = (r: { serverFirst?: string }) => /,s=([^,]+),i=(\d+)$/.exec(r.serverFirst!)!.slice(1);
    expect(saltOf(ghost)).toEqual(saltOf(ghostAgain));
    for (const r of [ghost, md5]) expect(unb64(saltOf(r)[0])).toMatch(/^[A-Za-z0-9]{22}$/);
    expect(saltOf(ghost)).not.toEqual(saltOf(md5));
    // the md5 account still logs in with PLAIN and LOGIN
    expect((await c.cmd(`AUTHENTICATE PLAIN ${b64("\0md5\0lètmein")}`)).at(-1)).toMatch(/^t\d+ OK/);
    c.close();
  });
});

describe("SCRAM-SHA-256-PLUS", () => {
  it("binds to tls-server-end-point (the certificate's hash) and to tls-exporter, after STARTTLS too", async () => {
    const c = await Client.tls(d.port, "127.0.0.1", freshLoopback());
    const r = await scram(c, { user: "alice", password: "pencil", mech: "SCRAM-SHA-256-PLUS", gs2: "p=tls-server-end-point,,",
      cbData: endPoint(c), initial: true });
    expect(r.verified).toBe(true);
    expect(r.last).toMatch(/^s\d+ OK \[CAPABILITY/);
    c.close();
    const e = await Client.tls(d.port, "127.0.0.1", freshLoopback());
    const cb = (e.socket as TLSSocket).exportKeyingMaterial(32, "EXPORTER-Channel-Binding", Buffer.alloc(0));
    expect((await scram(e, { user: "alice", password: "pencil", mech: "SCRAM-SHA-256-PLUS", gs2: "p=tls-exporter,,", cbData: cb })).last)
      .toMatch(/^s\d+ OK/);
    e.close();
    // and over STARTTLS, whose TLS socket the pre-auth connection made itself
    const p = await Client.plain(d.plainPort!, "127.0.0.1", freshLoopback());
    await p.starttls();
    expect((await scram(p, { user: "alice", password: "pencil", mech: "SCRAM-SHA-256-PLUS", gs2: "p=tls-server-end-point,,",
      cbData: endPoint(p) })).last).toMatch(/^s\d+ OK/);
    p.close();
  });

  it("data of another channel fails as a wrong password; n with -PLUS and tls-unique under TLS 1.3 are refused", async () => {
    const c = await Client.tls(d.port, "127.0.0.1", freshLoopback());
    const other = createHash("sha256").update("another certificate").digest();
    expect((await scram(c, { user: "alice", password: "pencil", mech: "SCRAM-SHA-256-PLUS", gs2: "p=tls-server-end-point,,",
      cbData: other })).last).toMatch(/^s\d+ NO \[AUTHENTICATIONFAILED\] Authentication failed\./);
    expect((await scram(c, { user: "alice", password: "pencil", mech: "SCRAM-SHA-256-PLUS" })).last).toMatch(/^s\d+ NO .*gs2 flag p/);
    expect((await scram(c, { user: "alice", password: "pencil", mech: "SCRAM-SHA-256-PLUS", gs2: "p=tls-unique,," })).last)
      .toMatch(/^s\d+ NO .*not supported/);
    expect((await scram(c, { user: "alice", password: "pencil", gs2: "p=tls-server-end-point,," })).last)
      .toMatch(/^s\d+ NO .*needs SCRAM-SHA-256-PLUS/);
    c.close();
  });
});

describe("AUTHENTICATE LOGIN", () => {
  it("asks Username: and Password:, takes the user name as an initial response, fails as LOGIN does", async () => {
    const c = await Client.tls(d.port, "127.0.0.1", freshLoopback());
    c.write("l1 AUTHENTICATE LOGIN\r\n");
    expect(await c.waitFor(() => true)).toBe(`+ ${b64("Username:")}`);
    send(c, b64("md5"));
    expect(await c.waitFor(() => true)).toBe(`+ ${b64("Password:")}`);
    send(c, b64("wrong"));
    expect(await c.waitFor(() => true)).toBe("l1 NO [AUTHENTICATIONFAILED] Authentication failed.");
    send(c, `l2 AUTHENTICATE LOGIN ${b64("md5")}`);
    expect(await c.waitFor(() => true)).toBe(`+ ${b64("Password:")}`);
    send(c, b64("lètmein"));
    expect(await c.waitFor(() => true)).toMatch(/^l2 OK \[CAPABILITY/);
    c.close();
  });
});

describe("throttling", () => {
  it("wrong SCRAM proofs count as failed logins: after 5 the right proof is refused from that address", async () => {
    const addr = freshLoopback();
    const c = await Client.tls(d.port, "127.0.0.1", addr);
    for (let i = 0; i < 5; i++) expect((await scram(c, { user: "guessed", password: `guess${i}` })).last).toMatch(/NO \[AUTHENTICATIONFAILED\]/);
    expect((await scram(c, { user: "guessed", password: "right" })).last).toMatch(/NO \[AUTHENTICATIONFAILED\]/);
    // and PLAIN from there too: one throttle for every mechanism
    expect((await c.cmd(`AUTHENTICATE PLAIN ${b64("\0guessed\0right")}`)).at(-1)).toMatch(/NO \[AUTHENTICATIONFAILED\]/);
    c.close();
    expect(d.logs()).toMatch(/"user":"guessed","addr":"127\.0\.0\.\d+","msg":"login refused: too many failures"/);
    const elsewhere = await Client.tls(d.port, "127.0.0.1", freshLoopback());
    expect((await scram(elsewhere, { user: "guessed", password: "right" })).last).toMatch(/^s\d+ OK/);
    elsewhere.close();
  });
});

describe("what SASL strings reach", () => {
  it("logs, even at debug, and the user process's trace hold none of them", async () => {
    expect(saslStrings.length).toBeGreaterThan(20);
    expect(await until(() => { try { return readFileSync(TRACE, "utf8").includes("p1 SELECT INBOX"); } catch { return false; } })).toBe(true);
    const trace = readFileSync(TRACE, "utf8");
    const logs = d.logs() + d.stderr();
    for (const s of saslStrings) {
      expect(logs, "log").not.toContain(s);
      expect(trace, "trace").not.toContain(s);
    }
    for (const password of ["pencil", "lètmein", "guess1"]) expect(logs).not.toContain(password);
    expect(logs).toMatch(/"msg":"SCRAM proof verified"/);
  });
});
