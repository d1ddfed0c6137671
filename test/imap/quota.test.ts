// QUOTA (RFC 9208) through the real engine on a real MH tree: one root per user ("User quota",
// as Dovecot names it), STORAGE (the files' bytes, in units of 1024) and MESSAGE usage kept by
// the store, limits from the hand-off; APPEND/COPY over a limit get NO [OVERQUOTA] and store
// nothing; mail nmh's inc delivers past the limit is counted, never refused.
import { afterEach, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { RawClient, startServer, type Running } from "./harness.js";
import type { HandoffQuota } from "../../src/protocol/handoff.js";

interface World { home: string; root: string; srv: Running; c: RawClient }
let worlds: World[] = [];

async function world(quota: HandoffQuota | undefined, home?: string, before?: (root: string) => void): Promise<World> {
  home ??= mkdtempSync(join(tmpdir(), "asimap-quota-"));
  const root = join(home, "Mail");
  mkdirSync(root, { recursive: true });
  before?.(root);
  writeFileSync(join(home, ".mh_profile"), `Path: ${root}\n`);
  process.env.MH = join(home, ".mh_profile");
  const srv = await startServer(root, {}, quota ? { quota } : {});
  const w = { home, root, srv, c: await RawClient.connect(srv.port) };
  worlds.push(w);
  return w;
}

afterEach(async () => {
  for (const w of worlds) {
    w.c.close();
    await w.srv.close();
    rmSync(w.home, { recursive: true, force: true });
  }
  worlds = [];
});

/** A message of `n` bytes in CRLF form (n - lines bytes as stored, LF). */
function message(subject: string, bodyBytes: number): string {
  return `From: a@b.example\r\nSubject: ${subject}\r\n\r\n${"x".repeat(bodyBytes)}\r\n`;
}

const append = (c: RawClient, box: string, msg: string) => c.cmd(`APPEND ${box} {${msg.length}+}\r\n${msg}`);

/** The bytes of every message file under the root, read from the disk itself. */
function bytesOnDisk(dir: string): { files: number; bytes: number } {
  let files = 0, bytes = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) {
      const sub = bytesOnDisk(join(dir, e.name));
      files += sub.files;
      bytes += sub.bytes;
    } else if (/^[1-9][0-9]*$/.test(e.name)) {
      files++;
      bytes += statSync(join(dir, e.name)).size;
    }
  }
  return { files, bytes };
}

const quotaLine = async (c: RawClient) => {
  const r = await c.cmd(`GETQUOTA "User quota"`);
  expect(r.tagged).toMatch(/^\S+ OK /);
  return r.untagged.filter((l) => l.startsWith("* QUOTA ")); // (not the selected mailbox's updates)
};

describe("QUOTA commands", () => {
  it("advertises QUOTA with both resources, and answers RFC 9208's examples for its one root", async () => {
    const { c } = await world({ storage: 10, messages: 3 });
    const caps = (await c.cmd("CAPABILITY")).untagged[0].split(" ");
    expect(caps).toEqual(expect.arrayContaining(["QUOTA", "QUOTA=RES-STORAGE", "QUOTA=RES-MESSAGE"]));
    expect(caps).not.toContain("QUOTASET");
    // §4.1.2, with our root's name
    expect(await c.cmd("GETQUOTAROOT INBOX")).toEqual({
      untagged: ['* QUOTAROOT INBOX "User quota"', '* QUOTA "User quota" (STORAGE 0 10 MESSAGE 0 3)'],
      tagged: expect.stringMatching(/^\S+ OK /),
    });
    // a mailbox that does not exist yet has the root it would have (§4.1.2)
    expect((await c.cmd(`GETQUOTAROOT "Not yet"`)).untagged[0]).toBe('* QUOTAROOT "Not yet" "User quota"');
    // §4.1.1
    expect(await quotaLine(c)).toEqual(['* QUOTA "User quota" (STORAGE 0 10 MESSAGE 0 3)']);
    // the name is exact (Dovecot: NO for "user quota")
    expect((await c.cmd(`GETQUOTA "user quota"`)).tagged).toMatch(/^\S+ NO \[NONEXISTENT\] /);
    expect((await c.cmd(`GETQUOTA ""`)).tagged).toMatch(/^\S+ NO /);
    // a literal root name works as any astring
    expect((await c.cmd(`GETQUOTA {10+}\r\nUser quota`)).untagged).toEqual(['* QUOTA "User quota" (STORAGE 0 10 MESSAGE 0 3)']);
    // §4.1.3: SETQUOTA is the administrator's, refused as Dovecot refuses users
    expect((await c.cmd(`SETQUOTA "User quota" (STORAGE 512)`)).tagged).toMatch(/^\S+ NO \[NOPERM\] /);
    expect((await c.cmd(`SETQUOTA "User quota" ()`)).tagged).toMatch(/^\S+ NO /);
    expect(await quotaLine(c)).toEqual(['* QUOTA "User quota" (STORAGE 0 10 MESSAGE 0 3)']);
  });

  it("answers bad arguments with BAD and stays usable", async () => {
    const { c } = await world({ storage: 10 });
    for (const bad of ["GETQUOTA", "GETQUOTAROOT", "SETQUOTA \"User quota\"", "SETQUOTA \"User quota\" (STORAGE)",
      "SETQUOTA \"User quota\" (STORAGE x)", "GETQUOTA \"User quota\" extra", "SETQUOTA \"User quota\" (STORAGE 99999999999999999999)"]) {
      expect((await c.cmd(bad)).tagged, bad).toMatch(/^\S+ BAD /);
    }
    expect((await c.cmd("GETQUOTAROOT 123")).tagged).toMatch(/^\S+ NO \[CANNOT\] /);
    expect((await c.cmd("NOOP")).tagged).toMatch(/^\S+ OK /);
  });

  it("lists no resources when there are no limits (§4.2.1: nothing limited)", async () => {
    const { c } = await world(undefined);
    expect((await c.cmd("GETQUOTAROOT INBOX")).untagged).toEqual(['* QUOTAROOT INBOX "User quota"', '* QUOTA "User quota" ()']);
    const big = message("big", 5000);
    expect((await append(c, "INBOX", big)).tagged).toMatch(/^\S+ OK /);
  });

  it("shows only the limited resource", async () => {
    const { c } = await world({ messages: 2 });
    expect(await quotaLine(c)).toEqual(['* QUOTA "User quota" (MESSAGE 0 2)']);
  });
});

describe("usage", () => {
  it("counts the files' bytes (units of 1024, rounded up) and messages in every folder, kept by each change", async () => {
    const w = await world({ storage: 100, messages: 100 });
    const { c } = w;
    expect((await append(c, "INBOX", message("one", 2000))).tagged).toMatch(/OK/);
    expect((await append(c, "Drafts", message("two", 10))).tagged).toMatch(/OK/);
    const disk = bytesOnDisk(w.root);
    expect(disk.files).toBe(2);
    expect(await quotaLine(c)).toEqual([`* QUOTA "User quota" (STORAGE ${Math.ceil(disk.bytes / 1024)} 100 MESSAGE 2 100)`]);
    // consistent with STATUS: MESSAGE is the sum of MESSAGES; SIZE (CRLF) covers the stored bytes
    let messages = 0, size = 0;
    for (const box of ["INBOX", "Drafts"]) {
      const st = /MESSAGES (\d+) SIZE (\d+)/.exec((await c.cmd(`STATUS ${box} (MESSAGES SIZE)`)).untagged[0])!;
      messages += Number(st[1]);
      size += Number(st[2]);
    }
    expect(messages).toBe(2);
    expect(size).toBeGreaterThanOrEqual(disk.bytes);
    // DELETED-STORAGE: what an EXPUNGE frees; EXPUNGE gives it back
    await c.cmd("SELECT INBOX");
    await c.cmd("STORE 1 +FLAGS.SILENT (\\Deleted)");
    const inboxFile = statSync(join(w.root, "inbox", "1")).size;
    expect((await c.cmd("STATUS INBOX (DELETED DELETED-STORAGE)")).untagged).toEqual([`* STATUS INBOX (DELETED 1 DELETED-STORAGE ${inboxFile})`]);
    await c.cmd("EXPUNGE");
    expect(await quotaLine(c)).toEqual([`* QUOTA "User quota" (STORAGE ${Math.ceil(bytesOnDisk(w.root).bytes / 1024)} 100 MESSAGE 1 100)`]);
    // a deleted folder's messages leave the usage
    await c.cmd("CLOSE");
    await c.cmd("CREATE Gone");
    await append(c, "Gone", message("gone", 3000));
    expect((await quotaLine(c))[0]).toMatch(/MESSAGE 2 100\)$/);
    expect((await c.cmd("DELETE Gone")).tagged).toMatch(/OK/);
    expect((await quotaLine(c))[0]).toMatch(/MESSAGE 1 100\)$/);
  });

  it("reads per-folder totals the database keeps, not the messages", async () => {
    const w = await world({ storage: 100, messages: 100 });
    await append(w.c, "INBOX", message("one", 10));
    const db = new Database(join(w.root, ".asimap-state.sqlite"));
    // a total no scan of the messages could give: the answer must be this one
    db.prepare("UPDATE mailbox_usage SET messages = 42, bytes = 51200").run();
    db.close();
    expect(await quotaLine(w.c)).toEqual(['* QUOTA "User quota" (STORAGE 50 100 MESSAGE 42 100)']);
  });

  it("survives a restart, and a database from before quotas is counted once from its rows", async () => {
    const w = await world({ storage: 100, messages: 100 });
    await append(w.c, "INBOX", message("one", 1500));
    await append(w.c, "Archive", message("two", 1500));
    const before = await quotaLine(w.c);
    w.c.close();
    await w.srv.close();
    worlds = [];
    const db = new Database(join(w.root, ".asimap-state.sqlite"));
    db.exec(`DROP TRIGGER usage_added; DROP TRIGGER usage_removed; DROP TRIGGER usage_gone;
      DROP TABLE mailbox_usage; DROP TRIGGER metadata_gone; DROP TABLE metadata`);
    db.pragma("user_version = 7"); // the schema before the quota migration (METADATA's, after it, undone too)
    db.close();
    const again = await world({ storage: 100, messages: 100 }, w.home);
    expect(await quotaLine(again.c)).toEqual(before);
    expect(before[0]).toMatch(/MESSAGE 2 100\)$/);
  });
});

describe("OVERQUOTA", () => {
  it("refuses an APPEND over STORAGE and stores nothing", async () => {
    const w = await world({ storage: 2 });
    expect((await append(w.c, "INBOX", message("fits", 1500))).tagged).toMatch(/OK/);
    const r = await append(w.c, "INBOX", message("too much", 1000));
    expect(r.tagged).toMatch(/^\S+ NO \[OVERQUOTA\] /);
    expect(bytesOnDisk(w.root).files).toBe(1);
    expect((await w.c.cmd("STATUS INBOX (MESSAGES)")).untagged).toEqual(["* STATUS INBOX (MESSAGES 1)"]);
    // what still fits is taken
    expect((await append(w.c, "INBOX", message("small", 10))).tagged).toMatch(/OK/);
  });

  it("counts, before a first APPEND, the messages of folders this process never looked at", async () => {
    const w = await world({ messages: 3 }, undefined, (root) => {
      mkdirSync(join(root, "old"));
      for (const n of [1, 2, 3]) writeFileSync(join(root, "old", String(n)), `From: a@b.example\nSubject: ${n}\n\nold\n`);
    });
    expect((await append(w.c, "INBOX", message("one too many", 10))).tagged).toMatch(/^\S+ NO \[OVERQUOTA\] /);
    expect(await quotaLine(w.c)).toEqual(['* QUOTA "User quota" (MESSAGE 3 3)']);
  });

  it("refuses a MULTIAPPEND whose last message goes over MESSAGE: none is stored", async () => {
    const w = await world({ messages: 2 });
    const a = message("a", 10), b = message("b", 10), c3 = message("c", 10);
    const r = await w.c.cmd(`APPEND INBOX {${a.length}+}\r\n${a} {${b.length}+}\r\n${b} {${c3.length}+}\r\n${c3}`);
    expect(r.tagged).toMatch(/^\S+ NO \[OVERQUOTA\] /);
    expect(bytesOnDisk(w.root).files).toBe(0);
    const ok = await w.c.cmd(`APPEND INBOX {${a.length}+}\r\n${a} {${b.length}+}\r\n${b}`);
    expect(ok.tagged).toMatch(/OK \[APPENDUID \d+ 1:2\]/);
    expect(await quotaLine(w.c)).toEqual(['* QUOTA "User quota" (MESSAGE 2 2)']);
  });

  it("refuses a COPY over the limit, lets a MOVE inside the root through at the limit", async () => {
    const w = await world({ messages: 2 });
    await append(w.c, "INBOX", message("a", 10));
    await append(w.c, "INBOX", message("b", 10));
    await w.c.cmd("SELECT INBOX");
    const copy = await w.c.cmd("COPY 1 Archive");
    expect(copy.tagged).toMatch(/^\S+ NO \[OVERQUOTA\] /);
    expect((await w.c.cmd("STATUS Archive (MESSAGES)")).untagged).toEqual(["* STATUS Archive (MESSAGES 0)"]);
    // Dovecot: a MOVE within one quota root does not change the usage, so it is not refused
    const move = await w.c.cmd("MOVE 1 Archive");
    expect(move.tagged).toMatch(/^\S+ OK /);
    expect((await w.c.cmd("STATUS Archive (MESSAGES)")).untagged).toEqual(["* STATUS Archive (MESSAGES 1)"]);
    expect(await quotaLine(w.c)).toEqual(['* QUOTA "User quota" (MESSAGE 2 2)']);
    expect((await w.c.cmd("UID COPY 2 Archive")).tagged).toMatch(/^\S+ NO \[OVERQUOTA\] /);
    expect((await w.c.cmd("NOOP")).tagged).toMatch(/OK/);
  });

  it("two sessions appending at once to two folders cannot both pass the last free place", async () => {
    const w = await world({ messages: 1 });
    const other = await RawClient.connect(w.srv.port);
    try {
      const m = message("race", 10);
      const [a, b] = await Promise.all([append(w.c, "INBOX", m), append(other, "Drafts", m)]);
      expect([a.tagged, b.tagged].filter((t) => / OK /.test(t))).toHaveLength(1);
      expect([a.tagged, b.tagged].filter((t) => / NO \[OVERQUOTA\] /.test(t))).toHaveLength(1);
      expect(bytesOnDisk(w.root).files).toBe(1);
    } finally {
      other.close();
    }
  });

  it("counts mail nmh's inc delivers past the limit, deletes none of it, and refuses the next APPEND", async () => {
    const w = await world({ storage: 1, messages: 10 });
    await w.c.cmd("SELECT INBOX");
    const mbox = join(w.home, "spool");
    writeFileSync(mbox, `From x@y.example Mon Jan  1 00:00:00 2024\nFrom: x@y.example\nSubject: by inc\n\n${"y".repeat(3000)}\n\n`);
    execFileSync("/usr/bin/mh/inc", ["+inbox", "-file", mbox, "-truncate", "-silent"], {
      env: { ...process.env, HOME: w.home, MH: join(w.home, ".mh_profile") }, encoding: "utf8",
    });
    const disk = bytesOnDisk(w.root);
    expect(disk.files).toBe(1);
    // counted at once (GETQUOTA looks at INBOX first), over the limit
    expect(await quotaLine(w.c)).toEqual([`* QUOTA "User quota" (STORAGE ${Math.ceil(disk.bytes / 1024)} 1 MESSAGE 1 10)`]);
    expect(Math.ceil(disk.bytes / 1024)).toBeGreaterThan(1);
    expect((await append(w.c, "Drafts", message("no room", 1))).tagged).toMatch(/^\S+ NO \[OVERQUOTA\] /);
    // the delivered message stays and is readable
    expect((await w.c.cmd("FETCH 1 (BODY.PEEK[HEADER.FIELDS (SUBJECT)])")).untagged[0]).toMatch(/by inc/);
    expect(bytesOnDisk(w.root).files).toBe(1);
    // rmm behind our back gives the room back
    execFileSync("/usr/bin/mh/rmm", ["+inbox", "1"], { env: { ...process.env, HOME: w.home, MH: join(w.home, ".mh_profile") } });
    expect(await quotaLine(w.c)).toEqual(['* QUOTA "User quota" (STORAGE 0 1 MESSAGE 0 10)']);
    expect((await append(w.c, "Drafts", message("room again", 1))).tagged).toMatch(/OK/);
  });
});
