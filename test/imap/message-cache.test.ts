// The in-memory cache of MIME indexes and header blocks: what it returns equals what the store
// and the file say, it stays within its byte bound, and a fresh cache re-reads nothing wrong.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { openUserStore, type UserStore } from "../../src/store/open-store.js";
import { MessageCache } from "../../src/imap/message-cache.js";
import { makeMail } from "./harness.js";

let mail: ReturnType<typeof makeMail>;
let store: UserStore;

beforeEach(async () => {
  mail = makeMail();
  process.env.MH = `${mail.home}/.mh_profile`;
  store = await openUserStore(mail.root);
});
afterEach(async () => {
  await store.close();
  mail.cleanup();
});

describe("MessageCache", () => {
  it("keeps rendered items per message and per item, made once", async () => {
    const cache = new MessageCache(1 << 30);
    const mbox = await store.mailbox("INBOX");
    const made: string[] = [];
    for (const rec of mbox.messages()) {
      for (const item of ["ENVELOPE", "BODYSTRUCTURE", "BODY"] as const) {
        const text = `${item} of ${rec.uid}`;
        expect(cache.rendered(mbox, rec.uid, item, () => (made.push(text), text))).toBe(text);
      }
    }
    const n = made.length;
    expect(n).toBe(mbox.messages().length * 3);
    // asked again: the same text for each (message, item), nothing made anew
    for (const rec of mbox.messages()) {
      for (const item of ["ENVELOPE", "BODYSTRUCTURE", "BODY"] as const) {
        expect(cache.rendered(mbox, rec.uid, item, () => "again")).toBe(`${item} of ${rec.uid}`);
      }
    }
    // another folder's UIDs are other messages
    const one = await store.mailbox("one");
    const uid = one.messages()[0].uid;
    expect(cache.rendered(one, uid, "ENVELOPE", () => "from one")).toBe("from one");
  });

  it("returns the store's index and the file's header block for every message", async () => {
    const cache = new MessageCache(1 << 30);
    for (const name of ["INBOX", "one", "problems"]) {
      const mbox = await store.mailbox(name);
      expect(mbox.messages().length).toBeGreaterThan(0);
      for (const rec of mbox.messages()) {
        const idx = await cache.index(mbox, rec.uid);
        expect(idx).toEqual(await mbox.index(rec.uid));
        // the second call is the same object (no re-parse)
        expect(await cache.index(mbox, rec.uid)).toBe(idx);
        const file = readFileSync(mbox.messagePath(rec.uid));
        const head = cache.head(mbox, rec.uid, idx);
        expect(head.equals(file.subarray(0, idx.root.headerEnd))).toBe(true);
        expect(cache.head(mbox, rec.uid, idx)).toBe(head);
      }
    }
  });

  it("keeps a value made from the header block without the index and header it was made from", async () => {
    const cache = new MessageCache(1 << 30);
    const mbox = await store.mailbox("INBOX");
    const recs = mbox.messages();
    let made = 0;
    const subject = (head: Buffer, idx: { root: { headerStart: number; headerEnd: number } }) => {
      made++;
      return /^subject:(.*)$/im.exec(head.subarray(idx.root.headerStart, idx.root.headerEnd).toString("latin1"))?.[1] ?? "";
    };
    const values = [];
    for (const r of recs) values.push(await cache.derivedFromHead(mbox, r.uid, "subject", subject, (v) => v.length));
    expect(made).toBe(recs.length);
    for (const [i, r] of recs.entries()) {
      const file = readFileSync(mbox.messagePath(r.uid));
      const idx = await mbox.index(r.uid);
      expect(values[i]).toBe(subject(file, idx));
      // kept: made once; the index was read for it, not kept (SEARCH of a big folder stays small)
      expect(await cache.derivedFromHead(mbox, r.uid, "subject", () => "again", () => 0)).toBe(values[i]);
      expect(cache.cachedIndex(mbox, r.uid)).toBeUndefined();
    }
    expect(made).toBe(recs.length + recs.length); // (the checks above made one each, outside the cache)
    // per message: the value and its key, far below an index and a header block (~4 KB)
    expect(cache.heldBytes / recs.length).toBeLessThan(400);
  });

  it("evicts in recency order: a value used again outlives older ones", async () => {
    const mbox = await store.mailbox("INBOX");
    const [a, b, c, d] = mbox.messages().map((r) => r.uid);
    expect(d).toBeDefined();
    // each value costs 300 + its name + 50 = 360 bytes; three fit in 1100, four do not
    const cache = new MessageCache(1100);
    const made: number[] = [];
    const get = (uid: number) => cache.derived(mbox, uid, "v".repeat(10), () => (made.push(uid), `v${uid}`), () => 300);
    for (const uid of [a, b, c]) get(uid);
    expect(cache.size).toBe(3);
    expect(get(a)).toBe(`v${a}`); // a is now the newest
    get(d); // over the bound: b, the least recently used, leaves
    expect(cache.size).toBe(3);
    expect(cache.heldBytes).toBe(3 * 360);
    made.length = 0;
    for (const uid of [a, c, d]) get(uid);
    expect(made).toEqual([]);
    get(b);
    expect(made).toEqual([b]);
    cache.clear();
    expect(cache.size).toBe(0);
    expect(cache.heldBytes).toBe(0);
    get(a);
    expect(made).toEqual([b, a]);
  });

  it("reads a limit given as a function at first use, not when made (the user process starts from a snapshot)", async () => {
    const mbox = await store.mailbox("INBOX");
    const [a, b] = mbox.messages().map((r) => r.uid);
    let limit = 0;
    const cache = new MessageCache(() => limit);
    limit = 400; // one 360-byte value fits, two do not
    const get = (uid: number) => cache.derived(mbox, uid, "v".repeat(10), () => `v${uid}`, () => 300);
    get(a);
    get(b);
    expect(cache.maxBytes).toBe(400);
    expect(cache.size).toBe(1);
    limit = 1 << 20; // read once: later changes do not move it
    expect(cache.maxBytes).toBe(400);
  });

  it("keeps within its byte bound, dropping the least recently used first", async () => {
    const mbox = await store.mailbox("INBOX");
    const uids = mbox.messages().map((r) => r.uid);
    expect(uids.length).toBeGreaterThan(3);
    const cache = new MessageCache(6000);
    for (const uid of uids) {
      const idx = await cache.index(mbox, uid);
      cache.head(mbox, uid, idx);
      expect(cache.heldBytes).toBeLessThanOrEqual(6000 + 20_000); // one over-large entry may stay
    }
    expect(cache.size).toBeLessThan(uids.length);
    // the first message was evicted: it is read again, still correct
    const again = await cache.index(mbox, uids[0]);
    expect(again).toEqual(await mbox.index(uids[0]));
  });

  it("keeps folders of the same name apart (a folder made anew is another object)", async () => {
    const other = makeMail();
    const { copyFileSync } = await import("node:fs");
    try {
      const first = await store.mailbox("INBOX");
      // the other tree's INBOX message 1 is a different message (a copy of message 2)
      const uid = first.messages()[0].uid;
      copyFileSync(first.messagePath(first.messages()[1].uid), `${other.root}/inbox/${first.messages()[0].num}`);
      process.env.MH = `${other.home}/.mh_profile`;
      const store2 = await openUserStore(other.root);
      try {
        const second = await store2.mailbox("INBOX");
        const cache = new MessageCache(1 << 30);
        const a = await cache.index(first, uid);
        const b = await cache.index(second, uid);
        expect(a).toEqual(await first.index(uid));
        expect(b).toEqual(await second.index(uid));
        expect(b).not.toEqual(a);
      } finally {
        await store2.close();
      }
    } finally {
      other.cleanup();
    }
  });

  it("says ENOENT when the file is gone and the header was never cached", async () => {
    const mbox = await store.mailbox("INBOX");
    const rec = mbox.messages()[0];
    const cache = new MessageCache(1 << 20);
    const idx = await cache.index(mbox, rec.uid);
    const { rmSync } = await import("node:fs");
    rmSync(mbox.messagePath(rec.uid));
    expect(() => cache.head(mbox, rec.uid, idx)).toThrow(expect.objectContaining({ code: "ENOENT" }));
  });
});

describe("the shared message cache", () => {
  it("is emptied a while after the user process's last connection closed (a lingering process holds none of it)", async () => {
    const { startServer, RawClient } = await import("./harness.js");
    const { messageCache } = await import("../../src/imap/message-cache.js");
    const running = await startServer(mail.root, { cacheIdleMs: 300 });
    const fetch = async (c: InstanceType<typeof RawClient>) => {
      await c.cmd("SELECT INBOX");
      expect((await c.cmd("FETCH 1:* (ENVELOPE BODY.PEEK[HEADER.FIELDS (Subject)])")).tagged).toMatch(/OK/);
    };
    try {
      const a = await RawClient.connect(running.port);
      const b = await RawClient.connect(running.port);
      await fetch(a);
      expect(messageCache.size).toBeGreaterThan(0);
      // one connection left: the cache stays for it
      a.sock.destroy();
      await new Promise((r) => setTimeout(r, 400));
      expect(messageCache.size).toBeGreaterThan(0);
      // none left, but a client comes back within the idle time: the cache is still there
      b.sock.destroy();
      await new Promise((r) => setTimeout(r, 100));
      const c = await RawClient.connect(running.port);
      await new Promise((r) => setTimeout(r, 400));
      expect(messageCache.size).toBeGreaterThan(0);
      await fetch(c);
      c.sock.destroy();
      for (let i = 0; i < 50 && messageCache.size > 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(messageCache.size).toBe(0);
      expect(messageCache.heldBytes).toBe(0);
    } finally {
      await running.close();
    }
  });
});
