// QUOTA end to end: the real asimapd with limits from the password file's quota field or its
// --quota-* defaults, reaching the user process through the hand-off; imapflow and Python's
// imaplib as outside clients.
import { afterEach, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { ImapFlow } from "imapflow";
import { makeMail } from "../imap/harness.js";
import { startAsimapd, type E2eServer } from "./server.js";

let mail: ReturnType<typeof makeMail> | undefined;
let server: E2eServer | undefined;
const clients: ImapFlow[] = [];

async function serve(o: { pwfileTail?: string; args?: string[] }): Promise<E2eServer> {
  mail = makeMail();
  server = await startAsimapd(mail.home, mail.root, {}, o);
  return server;
}

async function client(port: number): Promise<ImapFlow> {
  const c = new ImapFlow({
    host: "127.0.0.1", port, secure: true, logger: false, tls: { rejectUnauthorized: false },
    auth: { user: "tester", pass: "secret" },
  });
  await c.connect();
  clients.push(c);
  return c;
}

afterEach(async () => {
  for (const c of clients.splice(0)) await c.logout().catch(() => c.close());
  await server?.stop();
  mail?.cleanup();
  server = undefined;
  mail = undefined;
});

describe("quota end to end", () => {
  it("imapflow's getQuota() sees the password file's limits and the fixture mail's usage; APPEND over it is OVERQUOTA", async () => {
    const s = await serve({ pwfileTail: ":storage=1M,messages=1000" });
    const c = await client(s.tlsPort);
    const q = await c.getQuota("INBOX");
    if (!q) throw new Error("no quota");
    expect(q.quotaRoot).toBe("User quota");
    expect(q.storage!.limit).toBe(1024 * 1024);
    expect(q.storage!.usage).toBeGreaterThan(0);
    expect(q.message!.limit).toBe(1000);
    // every message of the fixture's folders, as STATUS counts them
    let messages = 0;
    for (const b of await c.list()) {
      if (b.flags.has("\\Noselect")) continue;
      messages += (await c.status(b.path, { messages: true })).messages!;
    }
    expect(q.message!.usage).toBe(messages);
    const room = q.storage!.limit! - q.storage!.usage!;
    const big = `From: a@b.example\r\nSubject: big\r\n\r\n${"x".repeat(room + 2048)}\r\n`;
    await expect(c.append("INBOX", big)).rejects.toMatchObject({ serverResponseCode: "OVERQUOTA" });
    expect(await c.getQuota("INBOX")).toMatchObject({ message: { usage: messages } });
    expect(await c.append("INBOX", "From: a@b.example\r\nSubject: small\r\n\r\nhi\r\n")).toMatchObject({ uid: expect.any(Number) });
  });

  it("asimapd's --quota-* options are the default; the password file's none lifts one of them", async () => {
    const s = await serve({ pwfileTail: ":messages=none", args: ["--quota-storage", "200M", "--quota-messages", "3"] });
    const q = await (await client(s.tlsPort)).getQuota("INBOX");
    if (!q) throw new Error("no quota");
    expect(q.storage!.limit).toBe(200 * 1024 * 1024);
    expect(q.message).toBeUndefined();
  });

  it("Python imaplib: getquotaroot, getquota, setquota refused, APPEND over STORAGE refused, connection usable", async () => {
    const s = await serve({ pwfileTail: ":storage=10K" });
    const { stdout } = await promisify(execFile)("python3", [join(import.meta.dirname, "quota_imaplib.py"), String(s.tlsPort)]);
    const r = JSON.parse(stdout);
    const used = Number(/STORAGE (\d+) 10\)/.exec(r.getquota[1][0])![1]);
    expect(used).toBeGreaterThan(10); // the fixture mail is already over 10 KiB: refused, never deleted
    expect(r.getquotaroot).toEqual(["OK", [['INBOX "User quota"'], [`"User quota" (STORAGE ${used} 10)`]]]);
    expect(r.getquota).toEqual(["OK", [`"User quota" (STORAGE ${used} 10)`]]);
    expect(r.setquota[0]).toBe("NO");
    expect(r.setquota[1][0]).toMatch(/NOPERM|administrator/);
    expect(r.append[0]).toBe("NO");
    expect(r.append[1][0]).toMatch(/^\[OVERQUOTA\] /);
    expect(r.noop).toBe("OK");
  });
});
