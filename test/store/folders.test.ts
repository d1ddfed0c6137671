import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { existsSync, mkdirSync, readdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { type MailboxEvent, type UserStore } from "../../src/store/open-store.js";
import { endStore, freshStore, type MhHome } from "./helpers.js";

let h: MhHome;
let store: UserStore;
beforeEach(async () => ({ h, store } = await freshStore()));
afterEach(() => endStore(store, h));
const names = async () => (await store.list()).map((i) => i.name);
const add = async (name: string, subject: string) =>
  (await store.mailbox(name)).append(Buffer.from(`Subject: ${subject}\n\nx\n`), ["\\Seen"]);

describe("mailbox operations", () => {
  it("create makes missing parents; duplicates are refused", async () => {
    await store.create("a/b/c");
    expect(await names()).toEqual(expect.arrayContaining(["a", "a/b", "a/b/c"]));
    await expect(store.create("a/b")).rejects.toMatchObject({ code: "ALREADYEXISTS" });
    await expect(store.create("inbox")).rejects.toMatchObject({ code: "ALREADYEXISTS" });
    const info = (await store.list()).find((i) => i.name === "a")!;
    expect(info).toMatchObject({ hasChildren: true, noselect: false });
    await store.create("x/", "\\Archive");
    expect((await store.list()).find((i) => i.name === "x")?.specialUse).toBe("\\Archive");
  });

  it("delete: a leaf goes; a parent becomes \\Noselect and can be created again", async () => {
    await store.create("p/q");
    await add("p", "one");
    const p = await store.mailbox("p");
    const seen: MailboxEvent[] = [];
    p.on("change", (e) => seen.push(e));
    await store.delete("p");
    expect(seen).toContainEqual({ kind: "gone" });
    const info = (await store.list()).find((i) => i.name === "p")!;
    expect(info).toMatchObject({ noselect: true, hasChildren: true });
    expect(readdirSync(join(h.root, "p"))).toEqual(["q"]);
    await expect(store.mailbox("p")).rejects.toMatchObject({ code: "NONEXISTENT" });
    await expect(store.delete("p")).rejects.toMatchObject({ code: "CANNOT" });
    await store.create("p");
    expect((await store.mailbox("p")).messages()).toEqual([]);
    await store.delete("p/q");
    expect(existsSync(join(h.root, "p", "q"))).toBe(false);
    await expect(store.delete("INBOX")).rejects.toMatchObject({ code: "CANNOT" });
    await expect(store.delete("nothere")).rejects.toMatchObject({ code: "NONEXISTENT" });
  });

  it("rename keeps UIDVALIDITY and UIDs, children and subscriptions move along", async () => {
    await store.create("old/kid");
    await add("old", "m1");
    await add("old/kid", "k1");
    await store.subscribe("old/kid", true);
    const vv = (await store.mailbox("old")).uidValidity;
    const kidVv = (await store.mailbox("old/kid")).uidValidity;
    await store.rename("old", "new/place");
    const n = await names();
    expect(n).toEqual(expect.arrayContaining(["new", "new/place", "new/place/kid"]));
    expect(n).not.toContain("old");
    const moved = await store.mailbox("new/place");
    expect(moved.uidValidity).toBe(vv);
    expect(moved.messages().map((r) => r.uid)).toEqual([1]);
    expect((await store.mailbox("new/place/kid")).uidValidity).toBe(kidVv);
    expect((await store.list()).find((i) => i.name === "new/place/kid")?.subscribed).toBe(true);
    await expect(store.rename("new/place", "Drafts")).rejects.toMatchObject({ code: "ALREADYEXISTS" });
    await expect(store.rename("new", "new/place/deeper")).rejects.toMatchObject({ code: "CANNOT" });
    await expect(store.rename("gone", "x")).rejects.toMatchObject({ code: "NONEXISTENT" });
  });

  it("RENAME INBOX moves its messages and leaves INBOX empty", async () => {
    await add("INBOX", "a");
    await add("INBOX", "b");
    const date = (await store.mailbox("INBOX")).get(1)!.internalDate;
    await store.rename("INBOX", "Old Mail");
    expect((await store.mailbox("INBOX")).messages()).toEqual([]);
    const old = await store.mailbox("Old Mail");
    expect(old.messages().map((r) => [r.uid, r.flags])).toEqual([[1, ["\\Seen"]], [2, ["\\Seen"]]]);
    expect(old.get(1)!.internalDate.getTime()).toBe(date.getTime());
  });

  it("subscribe and unsubscribe; INBOX in any case", async () => {
    await store.subscribe("inbox", true);
    await store.subscribe("Junk", true);
    await store.subscribe("Junk", false);
    const subs = (await store.list()).filter((i) => i.subscribed).map((i) => i.name);
    expect(subs).toEqual(["INBOX"]);
  });

  it("status without selecting", async () => {
    await add("Archive", "a");
    const st = await store.status("Archive");
    expect(st).toMatchObject({ messages: 1, unseen: 0, uidNext: 2, deleted: 0 });
    expect(st.size).toBe(Buffer.byteLength("Subject: a\r\n\r\nx\r\n"));
  });

  it("refuses a name that escapes through a symlink", async () => {
    const outside = join(h.home, "outside");
    mkdirSync(outside);
    symlinkSync(outside, join(h.root, "link"));
    await expect(store.create("link/evil")).rejects.toMatchObject({ code: "CANNOT" });
    expect(await names()).not.toContain("link");
  });

  it("COPY keeps flags, dates and bytes", async () => {
    const src = await store.mailbox("INBOX");
    const data = Buffer.from("Subject: c\n\nbody with\r\ninner CRLF kept\n");
    const uid = await src.appendStored([{ data, flags: ["\\Flagged", "kw"], internalDate: new Date(1e12) }]);
    const dest = await store.mailbox("Archive");
    const pairs = await src.copyTo(uid, dest);
    expect(pairs).toEqual([[1, 1]]);
    expect(dest.get(1)).toMatchObject({ flags: ["\\Flagged", "kw"], internalDate: new Date(1e12) });
    expect(await dest.readMessage(1)).toEqual(data);
  });
});
