// MOVE through the store: one rename per message under a journalled intent. The crash cases
// leave on disk exactly what a process killed at that step leaves, then the store is reopened.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { linkSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { openUserStore, STATE_DB, type UserStore } from "../../src/store/open-store.js";
import { endStore, freshStore, type MhHome } from "./helpers.js";

let h: MhHome;
let store: UserStore;
beforeEach(async () => {
  ({ h, store } = await freshStore());
  await store.create("dest");
});
afterEach(() => endStore(store, h));

const numbers = (folder: string) =>
  readdirSync(join(h.root, folder)).filter((f) => /^[0-9]+$/.test(f)).map(Number).sort((a, b) => a - b);
const sequences = (folder: string) => {
  try {
    return readFileSync(join(h.root, folder, ".mh_sequences"), "utf8");
  } catch {
    return "";
  }
};
const pendingRows = () => {
  const db = new Database(join(h.root, STATE_DB), { readonly: true });
  try {
    return (db.prepare("SELECT count(*) FROM pending_moves").pluck().get() as number);
  } finally {
    db.close();
  }
};

/** One flagged message in INBOX as number 1; the store is closed afterwards. */
async function flaggedInInbox(): Promise<{ ino: number; data: Buffer }> {
  const data = Buffer.from("Subject: moved\n\nbody\n");
  await (await store.mailbox("INBOX")).appendStored([{ data, flags: ["\\Flagged", "\\Seen"], internalDate: new Date(1e12) }]);
  await store.close();
  return { ino: statSync(join(h.root, "inbox", "1")).ino, data };
}

/** A journal row as moveTo writes it, with the empty file that claims dest/1 made (not yet linked). */
function journal(srcIno: number): { hold: string; holdIno: number } {
  const hold = join(h.root, "dest", ".asimap-tmp-999999999-dead");
  writeFileSync(hold, "");
  const holdIno = statSync(hold).ino;
  const db = new Database(join(h.root, STATE_DB));
  db.prepare("INSERT INTO pending_moves (src_dir, src_num, src_ino, dest_dir, hold_ino, flags) VALUES (?, ?, ?, ?, ?, ?)")
    .run("inbox", 1, srcIno, "dest", holdIno, "\\Flagged \\Seen");
  db.close();
  return { hold, holdIno };
}

describe("MOVE in the store", () => {
  it("moves files, flags and dates; the source numbers leave its sequences; no journal left", async () => {
    const src = await store.mailbox("INBOX");
    const uids = await src.appendStored([
      { data: Buffer.from("Subject: a\n\na\n"), flags: ["\\Flagged"], internalDate: new Date(1e12) },
      { data: Buffer.from("Subject: b\n\nb\n"), flags: ["\\Seen", "kw"], internalDate: new Date(2e12) },
      { data: Buffer.from("Subject: c\n\nc\n"), flags: [] },
    ]);
    const dest = await store.mailbox("dest");
    const ino = statSync(join(h.root, "inbox", "1")).ino;
    const pairs = await src.moveTo([uids[0], uids[1]], dest);
    expect(pairs).toEqual([[1, 1], [2, 2]]);
    expect(numbers("inbox")).toEqual([3]);
    expect(numbers("dest")).toEqual([1, 2]);
    expect(statSync(join(h.root, "dest", "1")).ino).toBe(ino); // renamed, not copied
    expect(src.messages().map((r) => r.uid)).toEqual([3]);
    expect(dest.get(1)).toMatchObject({ flags: ["\\Flagged"], internalDate: new Date(1e12) });
    expect(dest.get(2)).toMatchObject({ flags: ["\\Seen", "kw"], internalDate: new Date(2e12) });
    expect(await dest.readMessage(2)).toEqual(Buffer.from("Subject: b\n\nb\n"));
    expect(sequences("inbox")).not.toMatch(/flagged|kw/);
    expect(src.expungedSince(0)).toEqual([1, 2]);
    expect(pendingRows()).toBe(0);
    // nmh sees the same
    expect(h.mh("scan", "+dest").trim().split("\n")).toHaveLength(2);
    expect(h.mh("mark", "+dest", "-list", "-sequence", "flagged")).toMatch(/flagged: 1\b/);
  });

  it("killed after the rename: on reopen the message is once, in the destination, with its flags", async () => {
    const { ino, data } = await flaggedInInbox();
    const { hold } = journal(ino);
    linkSync(hold, join(h.root, "dest", "1"));
    renameSync(join(h.root, "inbox", "1"), join(h.root, "dest", "1"));
    store = await openUserStore(h.root, {});
    expect(numbers("inbox")).toEqual([]);
    expect(numbers("dest")).toEqual([1]);
    expect(pendingRows()).toBe(0);
    const dest = await store.mailbox("dest");
    expect(dest.messages()).toHaveLength(1);
    expect(dest.messages()[0]).toMatchObject({ flags: ["\\Flagged", "\\Seen"] });
    expect(await dest.readMessage(dest.messages()[0].uid)).toEqual(data);
    expect((await store.mailbox("INBOX")).messages()).toEqual([]);
    expect(sequences("inbox")).not.toMatch(/flagged/);
  });

  it("killed between a hard link and the unlink of the source: the source name goes", async () => {
    const { ino } = await flaggedInInbox();
    journal(ino);
    linkSync(join(h.root, "inbox", "1"), join(h.root, "dest", "1"));
    store = await openUserStore(h.root, {});
    expect(numbers("inbox")).toEqual([]);
    expect(numbers("dest")).toEqual([1]);
    expect((await store.mailbox("dest")).messages()).toHaveLength(1);
    expect((await store.mailbox("INBOX")).messages()).toEqual([]);
  });

  it("killed before the rename: the source stays with its flags, the claimed number goes", async () => {
    const { ino, data } = await flaggedInInbox();
    const { hold } = journal(ino);
    linkSync(hold, join(h.root, "dest", "1")); // the number claimed, the file not yet renamed
    store = await openUserStore(h.root, {});
    expect(numbers("inbox")).toEqual([1]);
    expect(statSync(join(h.root, "inbox", "1")).ino).toBe(ino);
    expect(numbers("dest")).toEqual([]);
    expect(pendingRows()).toBe(0);
    const inbox = await store.mailbox("INBOX");
    expect(inbox.messages()).toHaveLength(1);
    expect(inbox.messages()[0].flags).toEqual(["\\Flagged", "\\Seen"]);
    expect(await inbox.readMessage(inbox.messages()[0].uid)).toEqual(data);
    expect((await store.mailbox("dest")).messages()).toEqual([]);
  });

  it("killed before anything reached the destination: the journal row is dropped, nothing moves", async () => {
    const { ino } = await flaggedInInbox();
    journal(ino);
    store = await openUserStore(h.root, {});
    expect(numbers("inbox")).toEqual([1]);
    expect(numbers("dest")).toEqual([]);
    expect(pendingRows()).toBe(0);
  });
});
