// The full-text index as a cache that may break: corrupt, deleted, capped or on a full disk it
// never changes a SEARCH's answer, and it is made again; it never keeps the rows of a deleted
// folder, and refile moves a message without indexing it again; hard links share one row.
import { afterEach, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RawClient, startServer, type Running } from "../imap/harness.js";
import { makeMhHome, type MhHome } from "../store/helpers.js";
import type { FtsIndexer } from "../../src/imap/fts/fts-indexer.js";
import type { FtsOptions } from "../../src/imap/fts/fts-index.js";
import { FTS_DB } from "../../src/imap/fts/fts-db.js";
import Database from "better-sqlite3";

const mail = (i: number) => `From: sender${i}@example.com\nTo: you@example.com\nSubject: note ${i} ${i % 3 === 0 ? "wombat" : "otter"}\n` +
  `Message-ID: <r${i}@x>\nContent-Type: text/plain; charset=utf-8\n\nBody ${i}: ${i % 4 === 0 ? "the rare Kängurusprung" : "common words"} ${"filler text ".repeat(40)}\n`;
const expected = (n: number, pred: (i: number) => boolean) => {
  const uids = Array.from({ length: n }, (_, k) => k + 1).filter(pred);
  return uids.length ? `* SEARCH ${uids.join(" ")}` : "* SEARCH";
};

let h: MhHome | undefined;
let srv: Running | undefined;
let c: RawClient | undefined;
afterEach(async () => {
  c?.close();
  await srv?.close();
  h?.cleanup();
  h = srv = c = undefined;
});

async function setUp(n: number, fts: FtsOptions = { enabled: true }, root?: string): Promise<{ h: MhHome; fts: FtsIndexer; c: RawClient }> {
  h = makeMhHome();
  if (root) {
    // the mail root somewhere else (a small filesystem)
    rmSync(h.root, { recursive: true });
    execFileSync("ln", ["-s", root, h.root]);
    mkdirSync(join(root, "inbox"), { recursive: true });
  }
  h.mh("inc", "+inbox", "-file", h.mbox(Array.from({ length: n }, (_, i) => mail(i + 1))), "-notruncate", "-silent");
  srv = await startServer(h.root, { fts });
  c = await RawClient.connect(srv.port);
  expect((await c.cmd("SELECT INBOX")).tagged).toMatch(/OK/);
  return { h, fts: (srv.server as unknown as { fts: FtsIndexer }).fts, c };
}

async function search(c: RawClient, q: string): Promise<string> {
  const r = await c.cmd(`UID SEARCH CHARSET UTF-8 ${q}`);
  expect(r.tagged).toMatch(/^T\d+ OK/);
  return (r.untagged.find((l) => l.startsWith("* SEARCH")) ?? "").trimEnd();
}

const RARE = 'BODY "kängurusprung"';
const rare = (i: number) => i % 4 === 0;

describe("full-text index robustness", () => {
  it("is a 0600 dot file, and a corrupt one is replaced while SEARCH scans", async () => {
    const home = makeMhHome();
    writeFileSync(join(home.root, FTS_DB), "this is not a database ".repeat(100));
    home.mh("inc", "+inbox", "-file", home.mbox(Array.from({ length: 20 }, (_, i) => mail(i + 1))), "-notruncate", "-silent");
    h = home;
    srv = await startServer(home.root, { fts: { enabled: true } });
    c = await RawClient.connect(srv.port);
    await c.cmd("SELECT INBOX");
    const fts = (srv.server as unknown as { fts: FtsIndexer }).fts;
    expect(await search(c, RARE)).toBe(expected(20, rare));
    await fts.idle();
    expect(fts.index.size).toBe(20);
    expect(statSync(join(home.root, FTS_DB)).mode & 0o777).toBe(0o600);
    expect(await search(c, RARE)).toBe(expected(20, rare));
  });

  it("a deleted index is made again; SEARCH answers the same meanwhile", async () => {
    const { h, fts, c } = await setUp(30);
    expect(await search(c, RARE)).toBe(expected(30, rare));
    await fts.idle();
    expect(fts.index.size).toBe(30);
    rmSync(join(h.root, FTS_DB));
    expect(await search(c, RARE)).toBe(expected(30, rare));
    expect(await search(c, 'SUBJECT "wombat"')).toBe(expected(30, (i) => i % 3 === 0));
    await fts.idle();
    expect(existsSync(join(h.root, FTS_DB))).toBe(true);
    expect(fts.index.size).toBe(30);
  });

  it("stops growing at its size cap; the rest is scanned", async () => {
    const { h, fts, c } = await setUp(300, { enabled: true, maxBytes: 128 * 1024 });
    expect(await search(c, RARE)).toBe(expected(300, rare));
    await fts.idle();
    expect(fts.index.size).toBeGreaterThan(0);
    expect(fts.index.size).toBeLessThan(300);
    // the cap counts the database's pages, wherever they are (most sit in the WAL until a checkpoint)
    const db = new Database(join(h.root, FTS_DB), { readonly: true });
    try {
      expect((db.pragma("page_count", { simple: true }) as number) * (db.pragma("page_size", { simple: true }) as number)).toBeLessThanOrEqual(128 * 1024);
    } finally { db.close(); }
    expect(await search(c, RARE)).toBe(expected(300, rare));
    expect(await search(c, 'TEXT "sender17@"')).toBe(expected(300, (i) => i === 17));
  });

  it("a full disk while indexing leaves SEARCH working", async () => {
    const mnt = mkdtempSync(join(tmpdir(), "asimap-fts-full-"));
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=3m", "tmpfs", mnt]);
    try {
      const { fts, c } = await setUp(200, { enabled: true }, join(mnt, "Mail"));
      // fill what is left of the filesystem
      try { execFileSync("dd", ["if=/dev/zero", `of=${join(mnt, "filler")}`, "bs=64k"], { stdio: "ignore" }); } catch { /* ENOSPC */ }
      expect(await search(c, RARE)).toBe(expected(200, rare));
      await fts.idle();
      expect(fts.index.size).toBeLessThan(200);
      expect(await search(c, RARE)).toBe(expected(200, rare));
      expect(await search(c, 'FROM "sender42@"')).toBe(expected(200, (i) => i === 42));
      c.close();
      await srv!.close();
      srv = undefined;
    } finally {
      execFileSync("umount", ["-l", mnt]);
      rmSync(mnt, { recursive: true, force: true });
    }
  });

  it("keeps no rows of a deleted folder, and refile moves a row instead of indexing again", async () => {
    const { h, fts, c } = await setUp(12);
    expect(await search(c, RARE)).toBe(expected(12, rare));
    await fts.idle();
    const before = fts.stats.indexed;
    expect(fts.index.size).toBe(12);
    // refile 4 (rare) and 5 into another folder: same files, same rows
    h.mh("folder", "-create", "+moved");
    h.mh("refile", "-src", "+inbox", "4", "5", "+moved");
    await c.cmd("NOOP");
    expect(await search(c, RARE)).toBe(expected(12, (i) => rare(i) && i !== 4));
    expect((await c.cmd("SELECT moved")).tagged).toMatch(/OK/);
    expect(await search(c, RARE)).toBe("* SEARCH 1");
    await fts.idle();
    expect(fts.stats.indexed).toBe(before); // nothing indexed again
    // the folder goes: its rows go with it
    expect((await c.cmd("SELECT INBOX")).tagged).toMatch(/OK/);
    expect((await c.cmd("DELETE moved")).tagged).toMatch(/OK/);
    for (let i = 0; i < 50 && fts.index.size > 10; i++) await new Promise((r) => setTimeout(r, 20));
    expect(fts.index.size).toBe(10);
  });

  it("two hard links of one file are one row, found under both UIDs, and outlive either link", async () => {
    const { h, fts, c } = await setUp(20);
    // a link in the same folder (inbox/21 is inbox/4, rare) and one in another (refile -link)
    execFileSync("ln", [join(h.root, "inbox", "4"), join(h.root, "inbox", "21")]);
    h.mh("folder", "-create", "+linked");
    h.mh("refile", "-link", "-src", "+inbox", "8", "+linked");
    await c.cmd("NOOP");
    const withLink = expected(21, (i) => rare(i) || i === 21);
    expect(await search(c, RARE)).toBe(withLink); // scanned, and starts the indexing
    await fts.idle();
    expect(fts.index.size).toBe(20); // one row per file: 21 messages, 20 files
    expect(await search(c, RARE)).toBe(withLink); // the index answers: its row stands for 4 and 21
    const db = new Database(join(h.root, FTS_DB), { readonly: true });
    try {
      expect(db.prepare("SELECT count(*) FROM docs").pluck().get()).toBe(20);
    } finally { db.close(); }
    // the other folder's link: its row is already there, nothing is indexed again
    const indexed = fts.stats.indexed;
    expect((await c.cmd("SELECT linked")).tagged).toMatch(/OK/);
    expect(await search(c, RARE)).toBe("* SEARCH 1");
    await fts.idle();
    expect(fts.stats.indexed).toBe(indexed);
    // that folder goes (its rows are dropped at once): the row of 8 stays, inbox/8 still has it
    expect((await c.cmd("SELECT INBOX")).tagged).toMatch(/OK/);
    expect((await c.cmd("DELETE linked")).tagged).toMatch(/OK/);
    await new Promise((r) => setTimeout(r, 200));
    expect(fts.index.size).toBe(20);
    expect(await search(c, RARE)).toBe(withLink);
    await fts.idle();
    expect(fts.stats.indexed).toBe(indexed);
  });
});
