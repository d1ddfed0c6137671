// End to end with imapflow (a real client from the ecosystem) against the real asimapd over TLS.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { chownSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ImapFlow } from "imapflow";
import { makeMail } from "../imap/harness.js";
import { startAsimapd, type E2eServer } from "./server.js";

let mail: ReturnType<typeof makeMail>;
let server: E2eServer;
const clients: ImapFlow[] = [];

async function client(): Promise<ImapFlow> {
  const c = new ImapFlow({
    host: "127.0.0.1", port: server.tlsPort, secure: true, logger: false,
    tls: { rejectUnauthorized: false },
    auth: { user: "tester", pass: "secret" },
  });
  await c.connect();
  clients.push(c);
  return c;
}

beforeEach(async () => {
  mail = makeMail();
  server = await startAsimapd(mail.home, mail.root);
});
afterEach(async () => {
  for (const c of clients.splice(0)) await c.logout().catch(() => c.close());
  await server.stop();
  mail.cleanup();
});

describe("imapflow", () => {
  it("negotiates COMPRESS=DEFLATE and syncs through it", async () => {
    const c = await client();
    // imapflow sends COMPRESS DEFLATE whenever the server offers it; its deflater is then set
    expect((c as unknown as { _deflate?: unknown })._deflate).toBeTruthy();
    const box = await c.mailboxOpen("INBOX");
    let bytes = 0;
    for await (const m of c.fetch("1:*", { source: true, uid: true })) bytes += m.source!.length;
    expect(box.exists).toBe(8);
    expect(bytes).toBeGreaterThan(0);
  });

  it("lists, selects, fetches headers and bodies, searches", async () => {
    const c = await client();
    const boxes = await c.list();
    expect(boxes.map((b) => b.path)).toEqual(expect.arrayContaining(["INBOX", "one", "problems", "Sent Messages"]));
    expect(boxes.find((b) => b.path === "Sent Messages")?.specialUse).toBe("\\Sent");
    const box = await c.mailboxOpen("INBOX");
    expect(box.exists).toBe(8);
    const msgs = [];
    for await (const m of c.fetch("1:*", { envelope: true, flags: true, size: true, bodyStructure: true, uid: true })) msgs.push(m);
    expect(msgs).toHaveLength(8);
    expect(msgs[1].flags.has("\\Flagged")).toBe(true);
    const dl = await c.download("6", undefined, { uid: false });
    const chunks: Buffer[] = [];
    for await (const ch of dl.content) chunks.push(ch as Buffer);
    expect(Buffer.concat(chunks).length).toBe(msgs[5].size);
    const one = await c.fetchOne("1", { source: true, headers: ["subject"] });
    expect(one.source!.length).toBe(msgs[0].size);
    expect(await c.search({ seen: false })).toEqual([5, 6, 7, 8]);
    expect(await c.search({ flagged: true }, { uid: true })).toEqual([2]);
  });

  it("flags, copy, move, append", async () => {
    const c = await client();
    await c.mailboxOpen("INBOX");
    await c.messageFlagsAdd("1", ["\\Answered", "custom"]);
    const f = await c.fetchOne("1", { flags: true });
    expect([...f.flags].sort()).toEqual(["\\Answered", "\\Seen", "custom"]);
    const cp = await c.messageCopy("1:2", "one");
    expect(cp.uidMap?.size).toBe(2);
    const mv = await c.messageMove("3", "problems");
    expect(mv.uidMap?.size).toBe(1);
    expect(c.mailbox && (c.mailbox as { exists: number }).exists).toBe(7);
    const ap = await c.append("one", "Subject: appended\r\n\r\nhi\r\n", ["\\Seen"]);
    expect(ap.uid).toBeGreaterThan(22);
    const st = await c.status("one", { messages: true });
    expect(st.messages).toBe(25);
  });

  it("IDLE sees another session's APPEND and an nmh inc", async () => {
    const watcher = await client();
    await watcher.mailboxOpen("INBOX");
    const seen: number[] = [];
    watcher.on("exists", (d: { count: number }) => seen.push(d.count));
    void watcher.idle();
    const other = await client();
    await other.append("INBOX", "Subject: from other\r\n\r\nx\r\n");
    await waitFor(() => seen.includes(9));
    const drop = join(mail.home, "drop");
    writeFileSync(drop, "From x@y.example Mon Jan  1 00:00:00 2024\nSubject: by inc\n\nhi\n\n");
    if (server.owner.uid !== undefined) chownSync(drop, server.owner.uid, server.owner.gid!);
    execFileSync("/usr/bin/mh/inc", ["+inbox", "-file", drop, "-truncate", "-silent"], {
      env: { ...process.env, HOME: mail.home, MH: join(mail.home, ".mh_profile") }, ...server.owner,
    });
    await waitFor(() => seen.includes(10));
  });
});

async function waitFor(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}
