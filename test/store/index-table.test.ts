// The MIME index lives in its own table (schema 6), so a flag change rewrites a small row: the
// move from schema 5 keeps every index, and an index leaves with its message on every path.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { join } from "node:path";
import Database from "better-sqlite3";
import { MIGRATIONS, migrate } from "../../src/store/db.js";
import { prepareStatements } from "../../src/store/context.js";
import type { UserStore } from "../../src/store/open-store.js";
import { endStore, freshStore, type MhHome } from "./helpers.js";

let h: MhHome;
let store: UserStore;
beforeEach(async () => ({ h, store } = await freshStore()));
afterEach(() => endStore(store, h));

const turn = () => new Promise((r) => setImmediate(r)); // index writes go at the end of the turn
const msg = (s: string) => Buffer.from(`Subject: ${s}\r\nFrom: a@b.example\r\n\r\nbody ${s}\r\n`);

function indexRows(): Array<{ uid: number; idx: string }> {
  const db = new Database(join(h.root, ".asimap-state.sqlite"), { readonly: true });
  try {
    return db.prepare("SELECT uid, idx FROM message_index ORDER BY uid").all() as Array<{ uid: number; idx: string }>;
  } finally {
    db.close();
  }
}

describe("message_index", () => {
  it("schema 5 → 6 moves every index out of the message rows and drops the column", () => {
    const db = new Database(":memory:");
    for (let v = 0; v < 5; v++) MIGRATIONS[v](db);
    db.pragma("user_version = 5");
    db.prepare("INSERT INTO mailboxes (id, path, uidvalidity, uidnext, highestmodseq) VALUES (1, 'inbox', 7, 3, 1)").run();
    const ins = db.prepare(`INSERT INTO messages (mailbox_id, uid, num, ino, size, mtime, modseq, crlf_size, flags, idx)
      VALUES (1, ?, ?, 0, 10, 0, 1, 12, '', ?)`);
    ins.run(1, 1, '{"size":12}');
    ins.run(2, 2, null);
    migrate(db);
    expect(db.pragma("user_version", { simple: true })).toBe(MIGRATIONS.length);
    expect(db.prepare("SELECT mailbox_id, uid, idx FROM message_index").all()).toEqual([{ mailbox_id: 1, uid: 1, idx: '{"size":12}' }]);
    const cols = (db.prepare("PRAGMA table_info(messages)").all() as Array<{ name: string }>).map((c) => c.name);
    expect(cols).not.toContain("idx");
    expect(db.prepare("SELECT count(*) FROM messages").pluck().get()).toBe(2);
    db.close();
  });

  it("keeps an index through a flag change and drops it with its message's expunge", async () => {
    const box = await store.mailbox("INBOX");
    const [a, b] = [await box.append(msg("a"), []), await box.append(msg("b"), [])];
    const ia = await box.index(a);
    await box.index(b);
    await turn();
    expect(indexRows().map((r) => r.uid)).toEqual([a, b]);
    await box.storeFlags([a, b], "add", ["\\Flagged"]);
    expect(JSON.parse(indexRows()[0].idx)).toEqual(JSON.parse(JSON.stringify(ia)));
    await box.storeFlags([a], "add", ["\\Deleted"]);
    await box.expunge([a]);
    expect(indexRows().map((r) => r.uid)).toEqual([b]);
  });

  it("an index written back after its message is gone leaves no row", () => {
    // the write-back is batched to the end of the turn; an expunge may come first
    const db = new Database(":memory:");
    migrate(db);
    const stmts = prepareStatements(db);
    db.prepare("INSERT INTO mailboxes (id, path, uidvalidity, uidnext, highestmodseq) VALUES (1, 'inbox', 7, 3, 1)").run();
    db.prepare(`INSERT INTO messages (mailbox_id, uid, num, ino, size, mtime, modseq, crlf_size, flags)
      VALUES (1, 1, 1, 0, 10, 0, 1, 12, '')`).run();
    stmts.setIndex.run('{"size":12}', 1, 1);
    stmts.setIndex.run('{"size":99}', 1, 2); // no message 2
    expect(db.prepare("SELECT uid FROM message_index").pluck().all()).toEqual([1]);
    expect(stmts.getIndex.get(1, 1)).toBe('{"size":12}');
    db.close();
  });
});
