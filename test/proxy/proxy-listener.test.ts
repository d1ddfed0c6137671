// asimapd's listeners with --trusted-proxies: PROXY headers (v1 and v2, plain and TLS ports)
// from the trusted address name the client for logs, throttling and the hand-off; headers from
// anyone else, garbage, slow or missing headers close the connection before any IMAP byte.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { networkInterfaces } from "node:os";
import { Client, freshLoopback, makeCert, startDaemon, tempDir, until, usersWithMail, type Daemon } from "../daemon/harness.js";
import { proxied, sendAndWatch, v1, v2 } from "./proxy-clients.js";

// The proxy must not be on loopback, where plaintext LOGIN is allowed anyway.
const PROXY = Object.values(networkInterfaces()).flat().find((a) => a && a.family === "IPv4" && !a.internal)?.address;
let d: Daemon;

beforeAll(async () => {
  if (!PROXY) throw new Error("these tests need a non-loopback IPv4 address on this machine");
  const dir = tempDir();
  const pwfile = await usersWithMail(dir, ["alice", "bob", "carol"]);
  const { cert, key } = makeCert();
  d = await startDaemon(["--cert", cert, "--key", key, "--pwfile", pwfile, "--plain-port", "0", "--address", "0.0.0.0",
    "--run-dir", `${dir}/run`, "--trusted-proxies", `${PROXY}/32, fd00::/8`, "--debug"]);
});
afterAll(async () => {
  await d?.stop();
});

const logs = (): Array<Record<string, unknown>> => d.logs().trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
const logged = (msg: string, pred: (l: Record<string, unknown>) => boolean = () => true) =>
  until(() => logs().some((l) => l.msg === msg && pred(l)), 10_000);

describe("from the trusted proxy", () => {
  it("v1 on the plain port: plaintext LOGIN, and the log names the client, not the proxy", async () => {
    const c = await proxied(d.plainPort!, PROXY!, PROXY!, v1("198.51.100.7", 51234), false);
    const caps = (await c.cmd("CAPABILITY"))[0];
    expect(caps).not.toContain("LOGINDISABLED");
    expect(caps).toContain("AUTH=PLAIN");
    expect((await c.cmd("LOGIN alice pw")).at(-1)).toMatch(/OK \[CAPABILITY/);
    expect((await c.cmd("SELECT INBOX")).at(-1)).toMatch(/OK/);
    expect(await logged("logged in", (l) => l.user === "alice" && l.remote === "198.51.100.7:51234")).toBe(true);
    c.close();
  });

  it("v2 on the TLS port, before the TLS handshake", async () => {
    const c = await proxied(d.port, PROXY!, PROXY!, v2([203, 0, 113, 5], 40000), true);
    expect((await c.cmd("LOGIN bob pw")).at(-1)).toMatch(/OK \[CAPABILITY/);
    expect(await logged("logged in", (l) => l.user === "bob" && l.remote === "203.0.113.5:40000")).toBe(true);
    c.close();
  });

  it("v2 LOCAL then ID x-originating-ip (Dovecot's convention) names the client", async () => {
    const c = await proxied(d.plainPort!, PROXY!, PROXY!, v2(null), false);
    expect((await c.cmd('ID ("x-originating-ip" "192.0.2.77" "x-originating-port" "6000")')).at(-1)).toMatch(/OK/);
    expect((await c.cmd("LOGIN carol pw")).at(-1)).toMatch(/OK \[CAPABILITY/);
    expect(await logged("logged in", (l) => l.user === "carol" && l.remote === "192.0.2.77:6000")).toBe(true);
    c.close();
  });

  it("failures are counted for the client the header names: one client throttled, another not", async () => {
    const guesser = await proxied(d.plainPort!, PROXY!, PROXY!, v1("198.51.100.66", 1000), false);
    for (let i = 0; i < 6; i++) await guesser.cmd(`LOGIN nosuch${i} wrong`);
    expect((await guesser.cmd("LOGIN alice pw")).at(-1)).toMatch(/NO \[AUTHENTICATIONFAILED\]/);
    expect(await logged("login refused: too many failures", (l) => l.addr === "198.51.100.66")).toBe(true);
    guesser.close();
    // the same proxy, for another client: not locked out
    const other = await proxied(d.plainPort!, PROXY!, PROXY!, v1("198.51.100.67", 1001), false);
    expect((await other.cmd("LOGIN alice pw")).at(-1)).toMatch(/OK \[CAPABILITY/);
    other.close();
  });

  it("no header, garbage, a malformed header, or a slow one: closed before any IMAP byte", async () => {
    const cases: Array<[string, Buffer[], number, RegExp]> = [
      ["IMAP without a header", [Buffer.from("a1 LOGIN alice pw\r\n")], 0, /not a PROXY protocol header/],
      ["garbage", [Buffer.from("\x00\x01\x02garbage\r\n", "latin1")], 0, /not a PROXY protocol header/],
      ["malformed v1", [Buffer.from("PROXY TCP4 999.1.1.1 10.0.0.1 1 2\r\n")], 0, /not TCP4 addresses/],
      ["truncated, then closed", [Buffer.from("PROXY TCP4 198.51.")], 0, /closed in the middle/],
      ["slow", [Buffer.from("PROXY TCP4 "), Buffer.from("198.51.100.7 ")], 3000, /incomplete after/],
    ];
    for (const [what, chunks, pause, reason] of cases) {
      const r = await sendAndWatch(d.plainPort!, PROXY!, PROXY!, chunks, pause, what.includes("closed"));
      expect(r, what).toEqual({ data: "", closed: true });
      expect(await logged("connection from a trusted proxy refused: no valid PROXY header",
        (l) => reason.test(String(l.reason))), what).toBe(true);
    }
  });

  it("a header with nothing after it times out on the TLS port too", async () => {
    const r = await sendAndWatch(d.port, PROXY!, PROXY!, []);
    expect(r).toEqual({ data: "", closed: true });
    expect(await logged("connection from a trusted proxy refused: no valid PROXY header",
      (l) => /no PROXY header within/.test(String(l.reason)))).toBe(true);
  });
});

describe("from anyone else", () => {
  it("a PROXY header on the plain port is refused with a log line, no IMAP answer", async () => {
    const from = freshLoopback();
    const r = await sendAndWatch(d.plainPort!, "127.0.0.1", from, [v1("198.51.100.99", 1)]);
    expect(r.closed).toBe(true);
    expect(r.data).toMatch(/^\* OK \[CAPABILITY [^\r]*\r\n$/); // the greeting, sent on connect, and nothing else
    expect(await logged("PROXY header from an address not in --trusted-proxies: closed",
      (l) => String(l.remote).startsWith(`${from}:`))).toBe(true);
  });

  it("a PROXY header on the TLS port is refused with a log line", async () => {
    const from = freshLoopback();
    const r = await sendAndWatch(d.port, "127.0.0.1", from, [v2([203, 0, 113, 9], 1)]);
    expect(r).toEqual({ data: "", closed: true });
    expect(await logged("PROXY header from an address not in --trusted-proxies: closed",
      (l) => String(l.remote).startsWith(`${from}:`))).toBe(true);
  });

  it("ID x-originating-ip changes nothing", async () => {
    const from = freshLoopback();
    const c = await Client.tls(d.port, "127.0.0.1", from);
    await c.cmd('ID ("x-originating-ip" "192.0.2.88")');
    expect((await c.cmd("LOGIN alice pw")).at(-1)).toMatch(/OK/);
    expect(await logged("logged in", (l) => l.user === "alice" && String(l.remote).startsWith(`${from}:`))).toBe(true);
    expect(logs().some((l) => String(l.remote).startsWith("192.0.2.88"))).toBe(false);
    c.close();
  });

  it("ordinary TLS and plain clients are served as before", async () => {
    const t = await Client.tls(d.port, "127.0.0.1", freshLoopback());
    expect((await t.cmd("LOGIN bob pw")).at(-1)).toMatch(/OK/);
    t.close();
    const p = await Client.plain(d.plainPort!, "127.0.0.1", freshLoopback());
    expect((await p.cmd("NOOP")).at(-1)).toMatch(/OK/);
    p.close();
  });
});

describe("configuration", () => {
  it("a bad --trusted-proxies entry stops the start with a clear message", async () => {
    const { cert, key } = makeCert();
    await expect(startDaemon(["--cert", cert, "--key", key, "--trusted-proxies", "10.0.0.0/8,nginx"]))
      .rejects.toThrow(/exited 2: asimapd: trusted proxy "nginx" is not an IP address or a CIDR range/);
  });
});
