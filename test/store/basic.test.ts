import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readFileSync, existsSync, statSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { openUserStore, StoreError, type UserStore } from "../../src/store/open-store.js";
import { endStore, freshStore, type MhHome } from "./helpers.js";

let h: MhHome;
let store: UserStore;
beforeEach(async () => ({ h, store } = await freshStore()));
afterEach(() => endStore(store, h));

describe("store basics", () => {
  it("appends CRLF as LF, sizes in CRLF form, round trips byte-identical on the wire", async () => {
    const box = await store.mailbox("INBOX");
    const wire = Buffer.from("From: a@b\r\nSubject: hi\r\n\r\nline one\r\nline two\r\n");
    const date = new Date("2024-02-03T04:05:06Z");
    const uid = await box.append(wire, ["\\Flagged"], date);
    expect(uid).toBe(1);
    const rec = box.get(uid)!;
    expect(rec.size).toBe(wire.length);
    expect(rec.flags).toEqual(["\\Flagged"]);
    expect(rec.internalDate.getTime()).toBe(date.getTime());
    const stored = readFileSync(join(h.root, "inbox", "1"));
    expect(stored.includes(13)).toBe(false);
    expect(Buffer.from(stored.toString("latin1").replace(/\n/g, "\r\n"), "latin1")).toEqual(wire);
    expect(readFileSync(join(h.root, "inbox", ".mh_sequences"), "utf8")).toBe("unseen: 1\nflagged: 1\n");
    expect(box.status()).toMatchObject({ messages: 1, unseen: 1, uidNext: 2 });
  });

  it("stores flags, answers UNCHANGEDSINCE, expunges and remembers the expunged UIDs", async () => {
    const box = await store.mailbox("INBOX");
    const a = await box.append(Buffer.from("Subject: a\n\nx\n"), []);
    const b = await box.append(Buffer.from("Subject: b\n\nx\n"), ["\\Seen"]);
    const m0 = box.highestModseq;
    const res = await box.storeFlags([a, b], "add", ["\\Seen", "\\Deleted", "$Junk"]);
    expect(res.changed.map((r) => r.uid)).toEqual([a, b]);
    expect(box.get(a)!.flags).toEqual(["$Junk", "\\Deleted", "\\Seen"]);
    expect(box.highestModseq).toBeGreaterThan(m0);
    const m1 = box.highestModseq;
    const refused = await box.storeFlags([a], "remove", ["\\Deleted"], m0);
    expect(refused.modified).toEqual([a]);
    const gone = await box.expunge([a]);
    expect(gone).toEqual([a]);
    expect(box.messages().map((r) => r.uid)).toEqual([b]);
    expect(existsSync(join(h.root, "inbox", "1"))).toBe(false);
    expect(box.expungedSince(m1)).toEqual([a]);
    expect(box.expungedSince(box.highestModseq)).toEqual([]);
  });

  it("computes the message model's index once and caches it in the state database", async () => {
    const box = await store.mailbox("INBOX");
    const uid = await box.append(Buffer.from("Subject: idx\r\nFrom: a@b.example\r\n\r\nbody\r\n"), []);
    const idx = await box.index(uid);
    expect(idx.size).toBe(box.get(uid)!.size);
    expect(idx.sort.subject).toBe("idx");
    await new Promise((r) => setImmediate(r)); // written in one transaction at the end of the turn
    const db = new Database(join(h.root, ".asimap-state.sqlite"), { readonly: true });
    const cached = db.prepare("SELECT idx FROM message_index WHERE uid = ?").pluck().get(uid) as string;
    db.close();
    expect(JSON.parse(cached)).toEqual(JSON.parse(JSON.stringify(idx)));
    expect(await box.index(uid)).toEqual(JSON.parse(cached));
  });

  it("STATUS from the database agrees with the loaded records", async () => {
    const box = await store.mailbox("Junk");
    await box.append(Buffer.from("Subject: a\n\nx\n"), ["\\Seen", "\\Deleted"]);
    await box.append(Buffer.from("Subject: b\r\n\r\nyy\r\n"), []);
    await box.append(Buffer.from("Subject: c\n\nz\n"), ["Seenish"]);
    await new Promise((r) => setTimeout(r, 2100)); // past the racy window, a sync trusts the stats
    await box.sync();
    await store.close();
    store = await openUserStore(h.root, {});
    const fromDb = await store.status("Junk");
    const again = await store.mailbox("Junk");
    expect(again.messages()).toHaveLength(3);
    expect(again.status()).toEqual(fromDb);
    expect(fromDb).toMatchObject({ messages: 3, unseen: 2, deleted: 1 });
  });

  it("refuses flags and names MH cannot hold", async () => {
    const box = await store.mailbox("INBOX");
    const uid = await box.append(Buffer.from("Subject: a\n\nx\n"), []);
    await expect(box.storeFlags([uid], "add", ["cur"])).rejects.toThrow(StoreError);
    await expect(box.storeFlags([uid], "add", ["\\Recent"])).rejects.toThrow(/cannot be stored/);
    for (const bad of ["../x", "/abs", "a/../b", "123", "a/2024", "a\0b", "", ".hidden"]) {
      await expect(store.create(bad), bad).rejects.toMatchObject({ code: "CANNOT" });
    }
  });

  it("creates the special-use folders and lists them", async () => {
    const list = await store.list();
    const byName = new Map(list.map((i) => [i.name, i]));
    expect(byName.get("Drafts")?.specialUse).toBe("\\Drafts");
    expect(byName.get("Sent Messages")?.specialUse).toBe("\\Sent");
    expect(byName.get("Deleted Messages")?.specialUse).toBe("\\Trash");
    expect(byName.get("Junk")?.specialUse).toBe("\\Junk");
    expect(byName.get("Archive")?.specialUse).toBe("\\Archive");
    expect(byName.get("INBOX")?.noselect).toBe(false);
    expect(statSync(join(h.root, "Sent Messages")).isDirectory()).toBe(true);
  });

  it("keeps UIDs and UIDVALIDITY across a reopen, and never reuses a UID", async () => {
    const box = await store.mailbox("INBOX");
    await box.append(Buffer.from("Subject: a\n\nx\n"), []);
    const u2 = await box.append(Buffer.from("Subject: b\n\nx\n"), []);
    await box.expunge([u2]);
    const vv = box.uidValidity;
    await store.close();
    store = await openUserStore(h.root, {});
    const again = await store.mailbox("INBOX");
    expect(again.uidValidity).toBe(vv);
    expect(again.messages().map((r) => r.uid)).toEqual([1]);
    expect(await again.append(Buffer.from("Subject: c\n\nx\n"), [])).toBe(3);
  });
});

describe("records snapshot", () => {
  it("a reopened store sees the same records, from the snapshot or the rows", async () => {
    const box = await store.mailbox("INBOX");
    for (let i = 0; i < 5; i++) await box.append(Buffer.from(`Subject: s${i}\n\nx\n`), i % 2 ? ["\\Seen", "k"] : []);
    await box.expunge([2]);
    await box.storeFlags([3], "add", ["\\Flagged"]);
    const before = box.messages();
    await store.close(); // writes the snapshot
    store = await openUserStore(h.root, {});
    const again = await store.mailbox("INBOX");
    expect(again.messages()).toEqual(before);
    expect(again.messages().map((r) => r.size)).toEqual(before.map((r) => r.size));
    // a snapshot whose gen does not match the mailbox is never used: the rows are read instead
    await again.storeFlags([1], "add", ["\\Answered"]);
    const after = again.messages();
    const db = new Database(join(h.root, ".asimap-state.sqlite"));
    db.prepare("UPDATE snapshots SET gen = gen - 1").run(); // even an old snapshot is never trusted
    db.close();
    await store.close();
    store = await openUserStore(h.root, {});
    const rows = (await store.mailbox("INBOX")).messages();
    expect(rows).toEqual(after);
    expect(rows.map((r) => r.size)).toEqual(after.map((r) => r.size));
  });
});
