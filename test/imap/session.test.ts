// Session-level behaviour: hand-off completion, trace records, autologout, literal limits,
// streaming a large body with back-pressure, a selected mailbox deleted underneath.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { writeFileSync, utimesSync } from "node:fs";
import { join } from "node:path";
import { makeMail, RawClient, startServer, type Running } from "./harness.js";
import type { TraceRecord } from "../../src/imap/api.js";

let mail: ReturnType<typeof makeMail>;
let srv: Running | undefined;
const clients: RawClient[] = [];

beforeEach(() => {
  mail = makeMail();
  process.env.MH = `${mail.home}/.mh_profile`;
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await srv?.close();
  srv = undefined;
  mail.cleanup();
});

async function connect(): Promise<RawClient> {
  const c = await RawClient.connect(srv!.port);
  clients.push(c);
  return c;
}

describe("session", () => {
  it("records CONNECT, RECEIVED (literals inline), SEND and CLOSE in the trace", async () => {
    const records: TraceRecord[] = [];
    srv = await startServer(mail.root, { trace: { enabled: true, record: (r) => records.push(r) } });
    const c = await connect();
    await c.cmd("APPEND INBOX {11+}\r\nSubject: x\n");
    await c.cmd("LOGOUT");
    await new Promise((r) => setTimeout(r, 100));
    expect(records[0]).toMatchObject({ connection: "client-00000001", msg_type: "CONNECT" });
    expect(records[1]).toMatchObject({ msg_type: "SEND" });
    expect(records[1].data).toMatch(/^L0 OK \[CAPABILITY .*\] LOGIN completed\r\n$/);
    expect(records.find((r) => r.msg_type === "RECEIVED")?.data).toBe("T1 APPEND INBOX {11+}\r\nSubject: x\n");
    expect(records[records.length - 1].msg_type).toBe("CLOSE");
  });

  it("logs out an idle connection", async () => {
    srv = await startServer(mail.root, { idleTimeoutMs: 200 });
    const c = await connect();
    expect(await c.next()).toBe("* BYE Disconnected for inactivity.");
  });

  it("refuses an APPEND literal over APPENDLIMIT before reading it", async () => {
    srv = await startServer(mail.root, { maxMessageSize: 1000 });
    const c = await connect();
    expect((await c.cmd("CAPABILITY")).untagged[0]).toContain("APPENDLIMIT=1000");
    c.write("A1 APPEND INBOX {5000}\r\n");
    expect(await c.next()).toMatch(/^A1 NO \[TOOBIG\]/);
    expect((await c.cmd("NOOP")).tagged).toMatch(/OK/);
  });

  it("streams a 20 MB body with back-pressure and the right size", async () => {
    const line = "x".repeat(99) + "\n";
    const body = line.repeat(200_000);
    const path = join(mail.root, "inbox", "9");
    writeFileSync(path, `Subject: big\n\n${body}`);
    utimesSync(path, 1700000000, 1700000000);
    srv = await startServer(mail.root);
    const c = await connect();
    await c.cmd("SELECT INBOX");
    const before = process.memoryUsage().rss;
    c.sock.pause(); // a slow client: the server must wait for drain, not buffer everything
    c.write("B1 FETCH 9 (RFC822.SIZE BODY.PEEK[])\r\n");
    await new Promise((r) => setTimeout(r, 300));
    c.sock.resume();
    const r = await c.reply("B1");
    const size = Number(/RFC822.SIZE (\d+)/.exec(r.untagged[0])![1]);
    expect(size).toBe(14 + 2 + body.length + 200_000);
    expect(r.untagged[0]).toContain(`BODY[] {${size}}\r\nSubject: big\r\n\r\nxxx`);
    expect(r.tagged).toBe("B1 OK Fetch completed.");
    // informative only: how much the server process grew while serving it
    console.log(`rss growth serving 20 MB: ${((process.memoryUsage().rss - before) / 1e6).toFixed(1)} MB (client buffers included)`);
  });

  it("says BYE when the selected mailbox is deleted by another session", async () => {
    srv = await startServer(mail.root);
    const a = await connect();
    const b = await connect();
    await a.cmd("CREATE doomed");
    await b.cmd("SELECT doomed");
    const byes: string[] = [];
    b.sock.on("data", (d: Buffer) => { for (const l of d.toString("latin1").split("\r\n")) if (l.startsWith("* BYE")) byes.push(l); });
    expect((await a.cmd("DELETE doomed")).tagged).toMatch(/OK/);
    const r = await b.cmd("NOOP").catch(() => null);
    expect(r).toBeNull(); // the connection closes after the BYE, no tagged response
    expect(byes.pop()).toBe("* BYE Selected mailbox was deleted, have to disconnect.");
  });

  it("RENAME of its own selected mailbox answers OK and deselects; another session with it gets BYE", async () => {
    srv = await startServer(mail.root);
    const a = await connect();
    const b = await connect();
    await a.cmd("CREATE moving");
    await a.cmd("SELECT moving");
    await b.cmd("SELECT moving");
    const r = await a.cmd("RENAME moving moved");
    expect(r.tagged).toMatch(/^\S+ OK Rename completed\.$/);
    expect(r.untagged.some((l) => l.startsWith("* BYE"))).toBe(false);
    expect((await a.cmd("CHECK")).tagged).toMatch(/ BAD No mailbox selected/);
    expect((await a.cmd("SELECT moved")).tagged).toMatch(/ OK /);
    const byes: string[] = [];
    b.sock.on("data", (d: Buffer) => { for (const l of d.toString("latin1").split("\r\n")) if (l.startsWith("* BYE")) byes.push(l); });
    expect(await b.cmd("NOOP").catch(() => null)).toBeNull();
    expect(byes.pop()).toBe("* BYE Selected mailbox was deleted, have to disconnect.");
  });

  it("shutdown says BYE to every session", async () => {
    srv = await startServer(mail.root);
    const a = await connect();
    const p = srv.server.shutdown("Server restarting.");
    expect(await a.next()).toBe("* BYE Server restarting.");
    await p;
  });
});
