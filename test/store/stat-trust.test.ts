// The racy window (src/store/stat-trust.ts): how long after a change the folder's stat cannot be
// trusted, sized from the tick its timestamps show. Coarse (whole-second) stamps are simulated
// with utimes. Whether the next sync reads the directory is the `racy` column of the state
// database (what a restarted process would go by too).
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import fc from "fast-check";
import Database from "better-sqlite3";
import { utimesSync } from "node:fs";
import { join } from "node:path";
import { STATE_DB, type Mailbox, type UserStore } from "../../src/store/open-store.js";
import { RACY_COARSE_NS, RACY_FINE_NS, racyWindowNs } from "../../src/store/stat-trust.js";
import { endStore, freshStore, msg, type MhHome } from "./helpers.js";

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("racyWindowNs", () => {
  // every tick a clock can have that divides one second: 2^a·5^b ns
  const tick = fc.tuple(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 9 })).map(([a, b]) => 2n ** BigInt(a) * 5n ** BigInt(b));

  it("is never shorter than twice the tick of any clock that could have made the stamp (1,000 runs)", () => {
    fc.assert(fc.property(tick, fc.bigInt({ min: 0n, max: 4_000_000_000n }), fc.bigInt({ min: 0n, max: 10n ** 9n }), (t, sec, k) => {
      const stamp = sec * 10n ** 9n + ((k * t) % 10n ** 9n);
      const w = racyWindowNs(stamp);
      return w >= 2n * t && w >= RACY_FINE_NS && w <= RACY_COARSE_NS;
    }), { numRuns: 1000 });
  });

  it("is the short window for stamps with an irregular sub-second part, two seconds for whole seconds", () => {
    expect(racyWindowNs(1_764_356_000_123_456_789n)).toBe(RACY_FINE_NS);
    expect(racyWindowNs(1_764_356_000_000_000_001n)).toBe(RACY_FINE_NS);
    expect(racyWindowNs(1_764_356_000_000_000_000n)).toBe(RACY_COARSE_NS);
    // exFAT's 10 ms: still inside the short window; a 500 ms tick is not
    expect(racyWindowNs(1_764_356_000_230_000_000n)).toBe(RACY_FINE_NS);
    expect(racyWindowNs(1_764_356_000_500_000_000n)).toBe(10n ** 9n);
  });
});

describe("a folder after our own write", () => {
  let h: MhHome;
  let store: UserStore;
  let box: Mailbox;
  beforeEach(async () => {
    ({ h, store } = await freshStore("Unseen-Sequence: unseen\n"));
    h.mh("inc", "+inbox", "-file", h.mbox([msg("a"), msg("b"), msg("c")]), "-notruncate", "-silent");
    box = await store.mailbox("INBOX");
  });
  afterEach(() => endStore(store, h));

  const racyInDb = () => {
    const db = new Database(join(h.root, STATE_DB), { readonly: true });
    try {
      return (db.prepare("SELECT racy FROM mailboxes WHERE path = 'inbox'").get() as { racy: number }).racy;
    } finally {
      db.close();
    }
  };
  const dir = () => join(h.root, "inbox");
  /** set the folder's stamps to a whole second, as a filesystem without sub-second times would */
  const coarsen = (sec: number) => {
    utimesSync(dir(), sec, sec);
    utimesSync(join(dir(), ".mh_sequences"), sec, sec);
  };

  it("fine stamps: a look more than the short window after the change trusts the stat again", async () => {
    await box.storeFlags([1], "add", ["\\Flagged"]);
    expect(racyInDb()).toBe(1);
    await pause(250); // past the 100 ms window, well inside the old 2 s one
    await box.sync();
    expect(racyInDb()).toBe(0);
  });

  it("whole-second stamps: the folder stays racy for two seconds, and an nmh change in the same second is seen", async () => {
    await box.storeFlags([1], "add", ["\\Flagged"]);
    const sec = Math.floor(Date.now() / 1000);
    coarsen(sec);
    await pause(250);
    await box.sync();
    // a 100 ms window here would trust a stat that a change in this same second leaves as it is
    expect(racyInDb()).toBe(1);
    h.mh("inc", "+inbox", "-file", h.mbox([msg("d")]), "-notruncate", "-silent");
    h.mh("mark", "+inbox", "2", "-sequence", "unseen", "-delete");
    coarsen(sec);
    await box.sync();
    expect(box.messages().map((r) => r.num)).toEqual([1, 2, 3, 4]);
    expect(box.get(2)!.flags).toEqual(["\\Seen"]);
    expect(racyInDb()).toBe(1);
  });

  it("one whole-second stamp on an otherwise fine folder is not trusted either", async () => {
    await box.storeFlags([1], "add", ["\\Flagged"]);
    utimesSync(dir(), Math.floor(Date.now() / 1000), Math.floor(Date.now() / 1000));
    await pause(250);
    await box.sync();
    expect(racyInDb()).toBe(1);
  });

  it("nmh's rmm, inc and mark right after our own writes are seen by the next sync", async () => {
    await box.storeFlags([1], "add", ["\\Seen"]);
    h.mh("rmm", "+inbox", "3");
    await box.sync();
    expect(box.messages().map((r) => r.num)).toEqual([1, 2]);
    await box.append(Buffer.from(msg("ours")), []);
    h.mh("inc", "+inbox", "-file", h.mbox([msg("theirs")]), "-notruncate", "-silent");
    await box.storeFlags([2], "add", ["\\Answered"]);
    h.mh("mark", "+inbox", "1", "-sequence", "unseen", "-add");
    await box.sync();
    expect(box.messages().length).toBe(4);
    expect(box.get(1)!.flags).toEqual([]);
    expect(box.get(2)!.flags).toEqual(["\\Answered"]);
  });

  it("a sync that skipped the directory under a stream of our writes is followed by a look nobody asked for", async () => {
    // A sync within 100 ms of the last look leaves the racy directory for a deferred sync. The
    // change by `inc` below is found without any call of ours only if that sync happens. (If the
    // machine stalled past 100 ms, no sync was skipped: try again.)
    for (let attempt = 0; attempt < 5; attempt++) {
      const n = box.messages().length;
      await box.sync({ deep: true });
      await box.storeFlags([1], "add", ["\\Flagged"]);
      await box.storeFlags([1], "remove", ["\\Flagged"]);
      h.mh("inc", "+inbox", "-file", h.mbox([msg(`x${attempt}`)]), "-notruncate", "-silent");
      for (let i = 0; i < 20 && box.messages().length === n; i++) await pause(50);
      if (box.messages().length === n + 1) return;
      await box.sync();
    }
    expect.fail("the inc was never found without a sync");
  });
});
