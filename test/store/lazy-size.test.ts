// RFC822.SIZE is counted from the file when first asked for, not when the folder is first
// opened; the answer is exact either way, survives a reopen, and a file replaced before its size
// was asked for is reported as a new message.
import { afterEach, beforeEach, expect, it } from "vitest";
import { writeFileSync, renameSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { openUserStore, STATE_DB, type UserStore, type MailboxEvent } from "../../src/store/open-store.js";
import { endStore, makeMhHome, type MhHome } from "./helpers.js";

let h: MhHome;
let store: UserStore;
beforeEach(() => {
  h = makeMhHome();
});
afterEach(() => endStore(store, h));

const bodies = [
  "Subject: one\n\nline\n",
  "Subject: two\r\n\r\nalready CRLF\r\nand a bare LF\n",
  "Subject: three\n\n" + "x\n".repeat(50_000), // more than one read chunk
  "Subject: four\n\nno final newline",
];
const wire = (s: string) => Buffer.byteLength(s.replace(/\r?\n/g, "\r\n"));

function crlfSizesInDb(): number[] {
  const db = new Database(join(h.root, STATE_DB), { readonly: true });
  try {
    return db.prepare("SELECT crlf_size FROM messages ORDER BY uid").pluck().all() as number[];
  } finally {
    db.close();
  }
}

it("counts sizes when asked, exactly, and keeps them for the next open", async () => {
  bodies.forEach((b, i) => writeFileSync(join(h.root, "inbox", String(i + 1)), b));
  store = await openUserStore(h.root, {});
  const box = await store.mailbox("INBOX");
  expect(box.messages()).toHaveLength(4);
  // the first open read no file
  expect(crlfSizesInDb()).toEqual([-1, -1, -1, -1]);
  expect(box.get(2)!.size).toBe(wire(bodies[1]));
  expect(box.status().size).toBe(bodies.reduce((a, b) => a + wire(b), 0));
  await store.close();
  expect(crlfSizesInDb()).toEqual(bodies.map(wire));
  store = await openUserStore(h.root, {});
  expect((await store.status("INBOX")).size).toBe(bodies.reduce((a, b) => a + wire(b), 0));
});

it("STATUS SIZE of a folder never selected is exact", async () => {
  store = await openUserStore(h.root, {});
  await store.create("other");
  bodies.forEach((b, i) => writeFileSync(join(h.root, "other", String(i + 1)), b));
  const st = await store.status("other");
  expect(st.messages).toBe(4);
  expect(st.size).toBe(bodies.reduce((a, b) => a + wire(b), 0));
});

it("a file replaced before its size was asked for becomes a new message", async () => {
  writeFileSync(join(h.root, "inbox", "1"), bodies[0]);
  store = await openUserStore(h.root, {});
  const box = await store.mailbox("INBOX");
  const events: MailboxEvent[] = [];
  const seen = new Promise<void>((resolve) => box.on("change", (ev) => {
    events.push(ev);
    if (ev.kind === "added") resolve();
  }));
  const rec = box.get(1)!;
  // an editor writes a new file and renames it over the old one (a new inode)
  writeFileSync(join(h.root, "inbox", ".new"), bodies[2]);
  renameSync(join(h.root, "inbox", ".new"), join(h.root, "inbox", "1"));
  rec.size; // eslint-disable-line @typescript-eslint/no-unused-expressions
  await seen;
  expect(events.some((e) => e.kind === "expunged" && e.uids.includes(1))).toBe(true);
  const now = box.messages();
  expect(now.map((r) => r.uid)).toEqual([2]);
  expect(now[0].size).toBe(wire(bodies[2]));
});
