// A mail root the old Python asimap used: its asimap.db is imported on first open.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import Database from "better-sqlite3";
import { cpSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { openUserStore, type UserStore } from "../../src/store/open-store.js";
import { endStore, makeMhHome, type MhHome } from "./helpers.js";

const FIXTURE = join(import.meta.dirname, "..", "fixtures", "mail-before");
let h: MhHome;
let store: UserStore | null = null;

/** The old server's schema (reference/asimap.md §2.3), the columns the import reads. */
function writeOldDb(root: string) {
  const db = new Database(join(root, "asimap.db"));
  db.exec(`CREATE TABLE user_server(id INTEGER PRIMARY KEY, uid_vv INTEGER, date TEXT DEFAULT CURRENT_TIMESTAMP);
    CREATE TABLE mailboxes(id INTEGER PRIMARY KEY, name TEXT, uid_vv INTEGER, attributes TEXT, mtime INTEGER,
      next_uid INTEGER, num_msgs INTEGER, num_recent INTEGER, date TEXT DEFAULT CURRENT_TIMESTAMP,
      uids TEXT DEFAULT '', last_resync INTEGER DEFAULT 0, subscribed INTEGER DEFAULT 0, msg_keys TEXT DEFAULT '');
    CREATE UNIQUE INDEX mailbox_names ON mailboxes(name);`);
  const ins = db.prepare(`INSERT INTO mailboxes (name, uid_vv, attributes, mtime, next_uid, num_msgs, num_recent,
    uids, subscribed, msg_keys) VALUES (?, ?, '\\Unmarked,\\HasNoChildren', 0, ?, ?, 0, ?, ?, ?)`);
  ins.run("inbox", 3, 40, 8, "10-17", 1, "1-8");
  ins.run("one", 4, 23, 22, "1-22", 0, "1-22");
  // a pre-msg_keys row: the old server paired the first len(uids) keys
  ins.run("problems", 5, 9, 5, "4-8", 1, "");
  db.prepare("INSERT INTO user_server (uid_vv) VALUES (5)").run();
  db.close();
}

beforeEach(() => {
  h = makeMhHome();
  cpSync(FIXTURE, h.root, { recursive: true });
  writeOldDb(h.root);
});
afterEach(() => endStore(store, h));

describe("import from the old asimap.db", () => {
  it("keeps UIDVALIDITY, UIDs, UIDNEXT, flags and subscriptions", async () => {
    store = await openUserStore(h.root, {});
    const inbox = await store.mailbox("INBOX");
    expect(inbox.uidValidity).toBe(3);
    expect(inbox.uidNext).toBe(40);
    expect(inbox.messages().map((r) => [r.uid, r.num])).toEqual(
      Array.from({ length: 8 }, (_, i) => [10 + i, 1 + i]),
    );
    expect(inbox.get(11)!.flags).toEqual(["\\Flagged", "\\Seen"]); // flagged: 2
    expect(inbox.get(14)!.flags).toEqual([]); // unseen: 5-8
    const problems = await store.mailbox("problems");
    expect(problems.uidValidity).toBe(5);
    expect(problems.messages().map((r) => r.uid)).toEqual([4, 5, 6, 7, 8]);
    const one = await store.mailbox("one");
    expect(one.messages()).toHaveLength(22);
    const subs = (await store.list()).filter((i) => i.subscribed).map((i) => i.name).sort();
    expect(subs).toEqual(["INBOX", "problems"]);
    // folders the old server never saw get a UIDVALIDITY no earlier one had
    expect((await store.mailbox("Junk")).uidValidity).toBeGreaterThan(5);
    expect(await inbox.append(Buffer.from("Subject: new\n\nx\n"), [])).toBe(40);
  });

  it("imports once, and sizes of real and malformed messages count CRLF", async () => {
    store = await openUserStore(h.root, {});
    for (const name of ["INBOX", "one", "problems"]) {
      const box = await store.mailbox(name);
      const dir = join(h.root, name === "INBOX" ? "inbox" : name);
      expect(box.messages().length).toBe(readdirSync(dir).filter((n) => /^\d+$/.test(n)).length);
      for (const r of box.messages()) {
        const bytes = readFileSync(join(dir, String(r.num)));
        const lfs = bytes.toString("latin1").split("\n").length - 1;
        const crlfs = bytes.toString("latin1").split("\r\n").length - 1;
        expect(r.size).toBe(bytes.length + lfs - crlfs);
      }
    }
    await (await store.mailbox("INBOX")).expunge([10]);
    await store.close();
    store = await openUserStore(h.root, {});
    expect((await store.mailbox("INBOX")).messages().map((r) => r.uid)[0]).toBe(11);
  });
});
