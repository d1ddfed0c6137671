// Sessions that SELECT the same folder share the store snapshot's UID array until their views
// diverge. Each must still see its own sequence numbers (RFC 3501 §7.4.1: EXPUNGE only when
// allowed, EXISTS when told) and be told each flag change exactly once; set resolution must
// equal the plain definition of sequence and UID sets.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { useServer } from "./setup.js";
import type { RawClient } from "./harness.js";

const t = useServer();

const MSG = "From: x@y.example\r\nSubject: shared\r\n\r\nhello\r\n";

/** seq → UID as a session knows them, from `FETCH 1:* UID` (no EXPUNGE may come with it). */
async function seqUids(c: RawClient): Promise<number[]> {
  const r = await c.cmd("FETCH 1:* UID");
  const out: number[] = [];
  for (const l of r.untagged) {
    const m = /^\* (\d+) FETCH \(UID (\d+)\)$/.exec(l);
    if (m) out[Number(m[1]) - 1] = Number(m[2]);
  }
  return out;
}

describe("views sharing one store snapshot", () => {
  it("one session's EXPUNGE and EXISTS do not move another's sequence numbers", async () => {
    const [a, b, c] = [t.c, await t.connect(), await t.connect()];
    for (const x of [a, b, c]) await x.cmd("SELECT INBOX");
    const before = await seqUids(c);
    expect(before).toHaveLength(8);

    await a.cmd("STORE 3 +FLAGS.SILENT (\\Deleted)");
    expect((await a.cmd("EXPUNGE")).untagged).toEqual(["* 3 EXPUNGE"]);
    const appended = await b.cmd(`APPEND INBOX {${MSG.length}+}\r\n${MSG}`);
    const newUid = Math.max(...before) + 1;

    // a: its own expunge applied, the APPEND told at its next command
    expect((await a.cmd("NOOP")).untagged).toEqual(["* 8 EXISTS", expect.stringMatching(/^\* [01] RECENT$/)]);
    expect(await seqUids(a)).toEqual([...before.filter((_, i) => i !== 2), newUid]);

    // c: during FETCH the expunged message keeps its number; EXISTS may come, EXPUNGE may not
    const f = await c.cmd("FETCH 1:* UID");
    expect(f.untagged.some((l) => l.includes("EXPUNGE"))).toBe(false);
    expect(f.untagged).toContain("* 9 EXISTS");
    expect(f.untagged.filter((l) => l.includes("FETCH")).map((l) => Number(l.split(" ")[1])))
      .toEqual([1, 2, 4, 5, 6, 7, 8]);
    expect(f.tagged).toMatch(/OK \[EXPUNGEISSUED\]/);
    // `*` is c's own highest number: the appended message, 9 before its EXPUNGE is told
    expect((await c.cmd("FETCH * UID")).untagged).toEqual([`* 9 FETCH (UID ${newUid})`]);
    expect((await c.cmd("NOOP")).untagged).toEqual(["* 3 EXPUNGE"]);
    expect(await seqUids(c)).toEqual(await seqUids(a));

    // b appended: its APPEND answer told the expunge and its own message, once
    expect(appended.untagged.filter((l) => /EXPUNGE|EXISTS/.test(l))).toEqual(["* 3 EXPUNGE", "* 8 EXISTS"]);
    expect((await b.cmd("NOOP")).untagged).toEqual([]);
    expect(await seqUids(b)).toEqual(await seqUids(a));
  });

  it("an EXISTS told to one session leaves another's view as it was until it is told", async () => {
    const [a, b, c] = [t.c, await t.connect(), await t.connect()];
    await a.cmd("SELECT INBOX");
    await c.cmd("SELECT INBOX");
    const before = await seqUids(c);
    await b.cmd(`APPEND INBOX {${MSG.length}+}\r\n${MSG}`);
    expect((await a.cmd("NOOP")).untagged[0]).toBe("* 9 EXISTS");
    // c has not been told: its 1:* is still the 8 messages; the EXISTS follows the answer
    const f = await c.cmd("FETCH 1:* UID");
    expect(f.untagged).toEqual([...before.map((u, i) => `* ${i + 1} FETCH (UID ${u})`), "* 9 EXISTS",
      expect.stringMatching(/^\* [01] RECENT$/)]);
    expect((await c.cmd("SEARCH ALL")).untagged[0]).toBe("* SEARCH 1 2 3 4 5 6 7 8 9");
  });

  it("a flag change is told once to each session that knew the older state, never to a later SELECT", async () => {
    const [a, b, c] = [t.c, await t.connect(), await t.connect()];
    await a.cmd("SELECT INBOX");
    await b.cmd("SELECT INBOX");
    await c.cmd("STORE 1 +FLAGS.SILENT (\\Answered)").catch(() => undefined); // not selected: BAD
    await c.cmd("SELECT INBOX");
    const stored = await c.cmd("STORE 1 +FLAGS (\\Answered)");
    expect(stored.untagged).toEqual(["* 1 FETCH (FLAGS (\\Answered \\Seen))"]);
    const d = await t.connect();
    await d.cmd("SELECT INBOX");
    for (const x of [a, b]) {
      expect((await x.cmd("NOOP")).untagged).toEqual(["* 1 FETCH (FLAGS (\\Answered \\Seen))"]);
      expect((await x.cmd("NOOP")).untagged).toEqual([]);
    }
    // c reported the change in its STORE answer, d selected after it
    expect((await c.cmd("NOOP")).untagged).toEqual([]);
    expect((await d.cmd("NOOP")).untagged).toEqual([]);
  });

  it("SELECT's UNSEEN and FLAGS follow changes made since another session selected", async () => {
    const a = t.c;
    await a.cmd("SELECT INBOX");
    const b = await t.connect();
    const first = (await b.cmd("SELECT INBOX")).untagged.find((l) => l.includes("[UNSEEN"));
    await a.cmd("STORE 1:* +FLAGS.SILENT (\\Seen)");
    await a.cmd("STORE 2 +FLAGS.SILENT (project)");
    const c = await t.connect();
    const sel = await c.cmd("SELECT INBOX");
    expect(sel.untagged.find((l) => l.includes("[UNSEEN"))).toBeUndefined();
    expect(sel.untagged[0]).toBe("* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft project)");
    // the earlier snapshot's answer was its own: some message was unseen then
    expect(first).toMatch(/^\* OK \[UNSEEN \d+\]/);
    await a.cmd("STORE 5 -FLAGS.SILENT (\\Seen)");
    const again = await (await t.connect()).cmd("EXAMINE INBOX");
    expect(again.untagged).toContain("* OK [UNSEEN 5] First unseen.");
  });
});

describe("FETCH with messages prepared ahead", () => {
  it("skips a message expunged by another session, keeps order, ends OK [EXPUNGEISSUED]", async () => {
    const [a, b] = [t.c, await t.connect()];
    await a.cmd("SELECT INBOX");
    await b.cmd("SELECT INBOX");
    const whole = await b.cmd("FETCH 1:* (UID ENVELOPE)");
    expect(whole.untagged).toHaveLength(8);
    await a.cmd("STORE 3,6 +FLAGS.SILENT (\\Deleted)");
    await a.cmd("EXPUNGE");
    const f = await b.cmd("FETCH 1:* (UID ENVELOPE BODY.PEEK[HEADER.FIELDS (Subject)])");
    expect(f.untagged.filter((l) => !l.includes("EXPUNGE")).map((l) => Number(l.split(" ")[1])))
      .toEqual([1, 2, 4, 5, 7, 8]);
    // the same text as before for the messages still there
    for (const seq of [1, 2, 4, 5, 7, 8]) {
      const now = f.untagged.find((l) => l.startsWith(`* ${seq} FETCH`))!;
      const then = whole.untagged.find((l) => l.startsWith(`* ${seq} FETCH`))!;
      expect(now.startsWith(then.slice(0, -1))).toBe(true);
    }
    expect(f.tagged).toMatch(/OK \[EXPUNGEISSUED\]/);
  });
});

describe("many sessions on one folder", () => {
  it("all hear a change, through one store listener (no leak warning past 10 sessions)", async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on("warning", onWarning);
    try {
      const sessions = [t.c];
      for (let i = 0; i < 14; i++) sessions.push(await t.connect());
      for (const x of sessions) await x.cmd("SELECT INBOX");
      const changer = await t.connect();
      await changer.cmd("SELECT INBOX");
      await changer.cmd("STORE 2 +FLAGS.SILENT (\\Draft)");
      for (const x of sessions) {
        expect((await x.cmd("NOOP")).untagged).toEqual(["* 2 FETCH (FLAGS (\\Draft \\Flagged \\Seen))"]);
      }
      // sessions leaving one by one: the rest still hear changes
      for (const x of sessions.slice(1)) await x.cmd("CLOSE");
      await changer.cmd("STORE 2 -FLAGS.SILENT (\\Draft)");
      expect((await t.c.cmd("NOOP")).untagged).toEqual(["* 2 FETCH (FLAGS (\\Flagged \\Seen))"]);
      await new Promise((r) => setImmediate(r));
      expect(warnings).not.toContain("MaxListenersExceededWarning");
    } finally {
      process.off("warning", onWarning);
    }
  });
});

/** A sequence set's text and the set it means for a view of `n` messages (model). */
const range = fc.tuple(fc.oneof(fc.integer({ min: 1, max: 12 }), fc.constant("*" as const)),
  fc.option(fc.oneof(fc.integer({ min: 1, max: 12 }), fc.constant("*" as const)), { nil: undefined }));
const setArb = fc.array(range, { minLength: 1, maxLength: 4 });

function text(set: Array<[number | "*", number | "*" | undefined]>): string {
  return set.map(([a, b]) => (b === undefined ? `${a}` : `${a}:${b}`)).join(",");
}

function members(set: Array<[number | "*", number | "*" | undefined]>, star: number): (v: number) => boolean {
  return (v) => set.some(([a, b]) => {
    const x = a === "*" ? star : a;
    const y = b === undefined ? x : b === "*" ? star : b;
    return v >= Math.min(x, y) && v <= Math.max(x, y);
  });
}

describe("sequence and UID sets", () => {
  it("resolve to the messages the RFC 3501 definition names, in order, each once (400 runs)", async () => {
    const c = t.c;
    await c.cmd("SELECT INBOX");
    // gaps in the UIDs, so UID and sequence numbers differ
    await c.cmd("STORE 2,5 +FLAGS.SILENT (\\Deleted)");
    await c.cmd("EXPUNGE");
    const uids = await seqUids(c);
    const n = uids.length;
    await fc.assert(fc.asyncProperty(setArb, async (set) => {
      const u = await c.cmd(`UID FETCH ${text(set)} UID`);
      const inUid = members(set, uids[n - 1]);
      expect(u.untagged).toEqual(uids.map((uid, i) => [uid, i] as const).filter(([uid]) => inUid(uid))
        .map(([uid, i]) => `* ${i + 1} FETCH (UID ${uid})`));
      const s = await c.cmd(`FETCH ${text(set)} UID`);
      const tooHigh = set.some(([a, b]) => (a !== "*" && a > n) || (b !== undefined && b !== "*" && b > n));
      if (tooHigh) {
        expect(s.tagged).toMatch(/ BAD /);
      } else {
        const inSeq = members(set, n);
        expect(s.untagged).toEqual(uids.map((uid, i) => [uid, i + 1] as const).filter(([, seq]) => inSeq(seq))
          .map(([uid, seq]) => `* ${seq} FETCH (UID ${uid})`));
      }
    }), { numRuns: 400 });
  });
});
