// Logins against a real asimapd over real TLS and STARTTLS, with hashes of every kind.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { networkInterfaces } from "node:os";
import bcrypt from "bcryptjs";
import { pbkdf2Encode } from "../../src/daemon/hashers.js";
import { Client, freshLoopback, makeCert, makeMaildir, startDaemon, tempDir, writePwfile, type Daemon } from "./harness.js";

// [user, password, hash]: Django test vectors where Django's test suite has one, else ours.
const ACCOUNTS: Array<[string, string, string | (() => Promise<string> | string)]> = [
  ["pbkdf2", "lètmein", () => pbkdf2Encode("lètmein", "seasalt", 1000)],
  ["pbkdf2sha1", "lètmein", "pbkdf2_sha1$600000$seasalt2$2CLsaL1MZhq6JOG6QOHtVbiopHE="],
  ["argon2id", "secret", "argon2$argon2id$v=19$m=102400,t=2,p=8$Y041dExhNkljRUUy$TMa6A8fPJhCAUXRhJXCXdw"],
  ["argon2i", "secret", "argon2$argon2i$m=8,t=1,p=1$c29tZXNhbHQ$gwQOXSNhxiOxPOA0+PY10P9QFO4NAYysnqRt1GSQLE55m+2GYDt9FEjPMHhP2Cuf0nOEXXMocVrsJAtNSsKyfg"],
  ["bcrypt", "U*U", "bcrypt$$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"],
  ["bcryptsha", "pässword", () => "bcrypt_sha256$" + bcrypt.hashSync(createHash("sha256").update("pässword").digest("hex"), 4)],
  ["scrypt", "lètmein", "scrypt$16384$seasalt$8$5$ECMIUp+LMxMSK8xB/IVyba+KYGTI7FTnet025q/1f/vBAVnnP3hdYqJuRi+mJn6ji6ze3Fbb7JEFPKGpuEf5vw=="],
  ["md5", "lètmein", "md5$seasalt$3f86d0d3d465b7b458c231bf3555c0e3"],
  ["sha1", "lètmein", "sha1$seasalt$cff36ea83f5706ce9aa7454e63e431fc726b2dc8"],
  ["umd5", "lètmein", "88a434c88cca4e900f7874cd98123f43"],
  ["usha1", "lètmein", "sha1$$6d138ca3ae545631b3abd71a4f076ce759c5700b"],
];

let d: Daemon;
let dir: string;

beforeAll(async () => {
  dir = tempDir();
  makeMaildir(dir, "mail");
  const lines = ["# test accounts"];
  for (const [u, , h] of ACCOUNTS) lines.push(`${u}:${typeof h === "string" ? h : await h()}:mail`);
  lines.push("disabled:!unusable:mail", "throttled:" + (await pbkdf2Encode("right", "s", 1000)) + ":mail");
  writePwfile(dir, lines);
  const { cert, key } = makeCert();
  d = await startDaemon(["--cert", cert, "--key", key, "--pwfile", `${dir}/pwfile`, "--plain-port", "0",
    "--address", "0.0.0.0", "--run-dir", `${dir}/run`, "--debug"]);
});
afterAll(async () => {
  await d?.stop();
});

/** IMAP quoted string (our passwords have no `"` or `\`) */
const q = (s: string) => `"${s}"`;

describe("greeting and pre-auth commands", () => {
  it("implicit TLS greets with capabilities including AUTH=PLAIN, no STARTTLS", async () => {
    const c = await Client.tls(d.port, "127.0.0.1", freshLoopback());
    const caps = (await c.cmd("CAPABILITY"))[0];
    expect(caps).toMatch(/^\* CAPABILITY IMAP4rev1 .*AUTH=PLAIN/);
    expect(caps).toContain("SASL-IR");
    expect(caps).not.toContain("STARTTLS");
    expect((await c.cmd("NOOP")).at(-1)).toMatch(/^t\d+ OK/);
    const id = await c.cmd('ID ("name" "vitest")');
    expect(id[0]).toMatch(/^\* ID \("name" "asimap" "version" "/);
    expect((await c.cmd("SELECT INBOX")).at(-1)).toMatch(/^t\d+ BAD .*before login/);
    expect((await c.cmd("FROB")).at(-1)).toMatch(/^t\d+ BAD /);
    const bye = await c.cmd("LOGOUT");
    expect(bye[0]).toMatch(/^\* BYE/);
    expect(bye[1]).toMatch(/OK/);
    expect(await c.closedOrTimeout()).toBe(true);
  });
});

describe("ID before login (RFC 2971)", () => {
  // imaptest's `id` test: 30 pairs of 30-octet fields and 1024-octet values, a 31,807-byte line
  const pairs = (n: number, field: number, value: number) => Array.from({ length: n }, (_, i) =>
    `"${String(i).padStart(field, "f")}" "${"v".repeat(value)}"`).join(" ");

  it("an ID as long as the RFC allows is answered OK, even with every character escaped", async () => {
    const c = await Client.tls(d.port, "127.0.0.1", freshLoopback());
    const r = await c.cmd(`ID (${pairs(30, 30, 1024)})`);
    expect(r.at(-1)).toMatch(/^t1 OK /);
    expect(r[0]).toMatch(/^\* ID \("name" "asimap"/);
    // every octet a quoted-special: 30 × (60 + 2048) characters on the wire
    const escaped = Array.from({ length: 30 }, () => `"${'\\"'.repeat(30)}" "${'\\\\'.repeat(1024)}"`).join(" ");
    expect((await c.cmd(`ID (${escaped})`)).at(-1)).toMatch(/^t2 OK /);
    expect((await c.cmd("NOOP")).at(-1)).toMatch(/^t3 OK /);
    c.close();
  });

  it("fields over 30 octets and values over 1024 are BAD, as Dovecot answers; the connection stays", async () => {
    const c = await Client.tls(d.port, "127.0.0.1", freshLoopback());
    expect((await c.cmd(`ID ("${"f".repeat(31)}" "v")`)).at(-1)).toMatch(/^t1 BAD .*30 octets/);
    expect((await c.cmd(`ID ("f" "${"v".repeat(1025)}")`)).at(-1)).toMatch(/^t2 BAD .*1024 octets/);
    expect((await c.cmd(`ID (${pairs(31, 30, 1024)})`)).at(-1)).toMatch(/^t3 OK /); // Dovecot takes 31 pairs too
    expect((await c.cmd("NOOP")).at(-1)).toMatch(/^t4 OK /);
    c.close();
  });

  it("a line over the limit is BAD and the connection stays usable", async () => {
    const c = await Client.tls(d.port, "127.0.0.1", freshLoopback());
    expect((await c.cmd(`ID ("f" "${"v".repeat(70_000)}")`)).at(-1)).toMatch(/^t1 BAD .*too long/);
    expect((await c.cmd("NOOP")).at(-1)).toMatch(/^t2 OK /);
    c.close();
  });
});

describe("LOGIN with every kind of Django hash", () => {
  for (const [user, pw] of ACCOUNTS) {
    it(user, async () => {
      const c = await Client.tls(d.port, "127.0.0.1", freshLoopback());
      // (wrong passwords for every format are covered in test/auth/hashers.test.ts)
      const ok = (await c.cmd(`LOGIN ${user} ${q(pw)}`)).at(-1)!;
      expect(ok).toMatch(/^t\d+ OK \[CAPABILITY IMAP4rev1 /);
      // the session now belongs to the user process: an authenticated-state command works
      expect((await c.cmd("SELECT INBOX")).at(-1)).toMatch(/^t\d+ OK /);
      await c.cmd("LOGOUT");
      c.close();
    });
  }
});

describe("failures", () => {
  it("unknown user, wrong password and disabled account get the same answer", async () => {
    const c = await Client.tls(d.port, "127.0.0.1", freshLoopback());
    const a = (await c.cmd('LOGIN nobody "lètmein"')).at(-1)!.replace(/^t\d+/, "");
    const b = (await c.cmd('LOGIN md5 "wrong"')).at(-1)!.replace(/^t\d+/, "");
    const e = (await c.cmd('LOGIN disabled ""')).at(-1)!.replace(/^t\d+/, "");
    expect(a).toBe(" NO [AUTHENTICATIONFAILED] Authentication failed.");
    expect(b).toBe(a);
    expect(e).toBe(a);
    c.close();
  });

  it("throttles a user after 5 failures, even with the right password", async () => {
    const c = await Client.tls(d.port, "127.0.0.1", freshLoopback());
    for (let i = 0; i < 5; i++) expect((await c.cmd("LOGIN throttled wrong")).at(-1)).toMatch(/NO \[AUTHENTICATIONFAILED\]/);
    expect((await c.cmd("LOGIN throttled right")).at(-1)).toMatch(/NO \[AUTHENTICATIONFAILED\]/);
    // another user from the same address is not locked out yet (the address limit is 6)
    expect((await c.cmd('LOGIN md5 "lètmein"')).at(-1)).toMatch(/OK \[CAPABILITY/);
    c.close();
  });

  it("checking a slow hash (argon2id, 100 MiB) does not hold up other clients", async () => {
    const a = await Client.tls(d.port, "127.0.0.1", freshLoopback());
    const b = await Client.tls(d.port, "127.0.0.1", freshLoopback());
    let loginDone = false;
    const pending = a.cmd("LOGIN argon2id wrong").then((r) => { loginDone = true; return r; });
    expect((await b.cmd("NOOP")).at(-1)).toMatch(/OK/);
    expect(loginDone).toBe(false);
    expect((await pending).at(-1)).toMatch(/NO/);
    a.close();
    b.close();
  });

  it("a throttled login does not hold up other clients", async () => {
    const a = await Client.tls(d.port, "127.0.0.1", freshLoopback());
    // throttled at this address (a user's other addresses are not locked out)
    for (let i = 0; i < 5; i++) expect((await a.cmd("LOGIN throttled wrong")).at(-1)).toMatch(/NO/);
    const pending = a.cmd("LOGIN throttled right");
    const b = await Client.tls(d.port, "127.0.0.1", freshLoopback());
    expect((await b.cmd("NOOP")).at(-1)).toMatch(/OK/);
    expect((await pending).at(-1)).toMatch(/NO/);
    a.close();
    b.close();
  });
});

describe("AUTHENTICATE PLAIN", () => {
  const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");
  it("with SASL-IR", async () => {
    const c = await Client.tls(d.port, "127.0.0.1", freshLoopback());
    expect((await c.cmd(`AUTHENTICATE PLAIN ${b64("\0md5\0wrong")}`)).at(-1)).toMatch(/NO \[AUTHENTICATIONFAILED\]/);
    expect((await c.cmd(`AUTHENTICATE PLAIN ${b64("\0md5\0lètmein")}`)).at(-1)).toMatch(/^t\d+ OK \[CAPABILITY/);
    c.close();
  });
  it("with a continuation, and cancelled with *", async () => {
    const c = await Client.tls(d.port, "127.0.0.1", freshLoopback());
    c.write("x1 AUTHENTICATE PLAIN\r\n");
    expect(await c.waitFor(() => true)).toBe("+ ");
    c.write("*\r\n");
    expect(await c.waitFor(() => true)).toMatch(/^x1 BAD/);
    c.write("x2 AUTHENTICATE PLAIN\r\n");
    expect(await c.waitFor(() => true)).toBe("+ ");
    c.write(b64("md5\0md5\0lètmein") + "\r\n");
    expect(await c.waitFor((l) => l.startsWith("x2 "))).toMatch(/^x2 OK \[CAPABILITY/);
    c.close();
  });
  it("rejects other mechanisms and bad base64", async () => {
    const c = await Client.tls(d.port, "127.0.0.1", freshLoopback());
    expect((await c.cmd("AUTHENTICATE CRAM-MD5")).at(-1)).toMatch(/NO/);
    expect((await c.cmd("AUTHENTICATE PLAIN !!!!")).at(-1)).toMatch(/BAD/);
    c.close();
  });
});

describe("STARTTLS", () => {
  it("plain port: STARTTLS, then LOGIN (node:tls)", async () => {
    const c = await Client.plain(d.plainPort!, "127.0.0.1", freshLoopback());
    expect((await c.cmd("CAPABILITY"))[0]).toContain("STARTTLS");
    await c.starttls();
    const caps = (await c.cmd("CAPABILITY"))[0];
    expect(caps).not.toContain("STARTTLS");
    expect(caps).toContain("AUTH=PLAIN");
    expect((await c.cmd("STARTTLS")).at(-1)).toMatch(/BAD/);
    expect((await c.cmd('LOGIN md5 "lètmein"')).at(-1)).toMatch(/OK \[CAPABILITY/);
    expect((await c.cmd("SELECT INBOX")).at(-1)).toMatch(/OK/);
    c.close();
  });

  it("python3 imaplib: starttls + login + select", () => {
    const py = `
import imaplib, ssl, sys
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
m = imaplib.IMAP4("127.0.0.1", ${d.plainPort})
m.starttls(ssl_context=ctx)
typ, _ = m.login("bcrypt", "U*U"); assert typ == "OK"
typ, data = m.select("INBOX"); assert typ == "OK", data
print("EXISTS", data[0].decode())
m.logout()
m = imaplib.IMAP4_SSL("127.0.0.1", ${d.port}, ssl_context=ctx)
typ, _ = m.login("argon2i", "secret"); assert typ == "OK"
m.logout()
`;
    const out = execFileSync("python3", ["-c", py], { encoding: "utf8" });
    expect(out).toMatch(/^EXISTS \d+/);
  });

  it("commands pipelined after STARTTLS in the clear are discarded", async () => {
    const c = await Client.plain(d.plainPort!, "127.0.0.1", freshLoopback());
    c.write("s1 STARTTLS\r\ns2 LOGIN md5 \"lètmein\"\r\n");
    expect(await c.waitFor((l) => l.startsWith("s1 "))).toMatch(/OK/);
    // the TLS handshake must still work: the injected line was dropped, not parsed as TLS
    c.socket.removeAllListeners("data");
    const { connect } = await import("node:tls");
    const s = connect({ socket: c.socket, rejectUnauthorized: false });
    await new Promise<void>((res, rej) => s.once("secureConnect", () => res()).once("error", rej));
    const c2 = new Client(s);
    expect((await c2.cmd("NOOP")).at(-1)).toMatch(/OK/);
    s.destroy();
  });

  it("LOGINDISABLED on the plain port for a non-loopback client until STARTTLS", async (ctx) => {
    const ip = Object.values(networkInterfaces()).flat().find((a) => a && a.family === "IPv4" && !a.internal)?.address;
    if (!ip) return ctx.skip("this machine has no non-loopback IPv4 address to connect from");
    const c = await Client.plain(d.plainPort!, ip);
    const caps = (await c.cmd("CAPABILITY"))[0];
    expect(caps).toContain("LOGINDISABLED");
    expect(caps).not.toContain("AUTH=");
    expect((await c.cmd('LOGIN md5 "lètmein"')).at(-1)).toMatch(/NO \[PRIVACYREQUIRED\]/);
    expect((await c.cmd("AUTHENTICATE SCRAM-SHA-256")).at(-1)).toMatch(/NO \[PRIVACYREQUIRED\]/);
    await c.starttls();
    expect((await c.cmd("CAPABILITY"))[0]).toContain("AUTH=SCRAM-SHA-256-PLUS AUTH=SCRAM-SHA-256 AUTH=PLAIN AUTH=LOGIN");
    expect((await c.cmd('LOGIN md5 "lètmein"')).at(-1)).toMatch(/OK \[CAPABILITY/);
    c.close();
  });
});

describe("logs", () => {
  it("are JSON lines and never contain a password, even at debug level", () => {
    const lines = d.logs().trim().split("\n");
    expect(lines.length).toBeGreaterThan(10);
    for (const l of lines) expect(() => JSON.parse(l)).not.toThrow();
    expect(d.logs()).toContain('"msg":"login failed"');
    for (const [, pw] of ACCOUNTS) expect(d.logs()).not.toContain(JSON.stringify(pw).slice(1, -1));
  });
});

describe("limits before login", () => {
  it("a client that does not log in in time gets * BYE; one that sends only junk too", async () => {
    const { cert, key } = makeCert();
    const d2 = await startDaemon(["--cert", cert, "--key", key, "--pwfile", `${dir}/pwfile`],
      { ASIMAPD_PREAUTH_TIMEOUT_MS: "300" });
    try {
      const idle = await Client.tls(d2.port, "127.0.0.1", freshLoopback());
      expect(await idle.waitFor((l) => l.startsWith("* BYE"))).toMatch(/Autologout/);
      expect(await idle.closedOrTimeout()).toBe(true);
    } finally {
      await d2.stop();
    }
    const junk = await Client.tls(d.port, "127.0.0.1", freshLoopback());
    for (let i = 0; i < 30 && !junk.closed; i++) junk.write(`j${i} FROB\r\n`);
    expect(await junk.waitFor((l) => l.startsWith("* BYE"))).toMatch(/Too many bad commands/);
  });
});
