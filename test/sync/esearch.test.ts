// ESEARCH (RFC 4731) and SEARCHRES (RFC 5182) through a real socket on the fixture mail; the
// answers' shape and order are Dovecot's (`* ESEARCH (TAG "x") UID MIN 1 MAX 8 ALL 1:8 COUNT 8`).
import { describe, expect, it } from "vitest";
import { useServer } from "../imap/setup.js";

const t = useServer();
const tagOf = (tagged: string) => tagged.split(" ")[0];

describe("ESEARCH", () => {
  it("RETURN (MIN MAX COUNT ALL), in Dovecot's order, with UID and when nothing matches", async () => {
    await t.c.cmd("SELECT INBOX");
    const r = await t.c.cmd("SEARCH RETURN (ALL COUNT MAX MIN) ALL");
    expect(r.untagged).toEqual([`* ESEARCH (TAG "${tagOf(r.tagged)}") MIN 1 MAX 8 ALL 1:8 COUNT 8`]);
    const u = await t.c.cmd("UID SEARCH RETURN () 2:4");
    expect(u.untagged).toEqual([`* ESEARCH (TAG "${tagOf(u.tagged)}") UID ALL 2:4`]);
    const unseen = await t.c.cmd("SEARCH RETURN (MIN MAX COUNT) UNSEEN");
    expect(unseen.untagged).toEqual([`* ESEARCH (TAG "${tagOf(unseen.tagged)}") MIN 5 MAX 8 COUNT 4`]);
    const none = await t.c.cmd("SEARCH RETURN (COUNT) LARGER 100000000");
    expect(none.untagged).toEqual([`* ESEARCH (TAG "${tagOf(none.tagged)}") COUNT 0`]);
    const min = await t.c.cmd("SEARCH RETURN (MIN) LARGER 100000000");
    expect(min.untagged).toEqual([`* ESEARCH (TAG "${tagOf(min.tagged)}")`]);
    // the sets are sequence sets: gaps are written as ranges
    const odd = await t.c.cmd("SEARCH RETURN (ALL) OR OR 1 3:4 8");
    expect(odd.untagged).toEqual([`* ESEARCH (TAG "${tagOf(odd.tagged)}") ALL 1,3:4,8`]);
  });
});

describe("SEARCHRES", () => {
  it("SAVE answers nothing, and $ then names the result in FETCH, STORE, SEARCH, COPY (RFC 5182 examples)", async () => {
    await t.c.cmd("SELECT INBOX");
    const saved = await t.c.cmd("SEARCH RETURN (SAVE) UNSEEN");
    expect(saved.untagged).toEqual([]);
    expect(saved.tagged).toMatch(/OK/);
    const f = await t.c.cmd("FETCH $ (UID)");
    expect(f.untagged).toEqual(["* 5 FETCH (UID 5)", "* 6 FETCH (UID 6)", "* 7 FETCH (UID 7)", "* 8 FETCH (UID 8)"]);
    // RFC 5182 §2.1 example: SEARCH $ SMALLER n narrows the saved result
    const all = await t.c.cmd("UID SEARCH UID $");
    expect(all.untagged).toEqual(["* SEARCH 5 6 7 8"]);
    expect((await t.c.cmd("SEARCH $ 1:6")).untagged).toEqual(["* SEARCH 5 6"]);
    const st = await t.c.cmd("STORE $ +FLAGS.SILENT (\\Flagged)");
    expect(st.tagged).toMatch(/OK/);
    expect((await t.c.cmd("SEARCH FLAGGED")).untagged[0]).toMatch(/^\* SEARCH( \d+)* 5 6 7 8$/);
    const cp = await t.c.cmd("UID COPY $ one");
    expect(cp.tagged).toMatch(/OK \[COPYUID \d+ 5:8 \d+:\d+\]/);
    // SAVE with MIN keeps only the minimum; with results and SAVE, ESEARCH still answers
    const m = await t.c.cmd("SEARCH RETURN (SAVE MIN) UNSEEN");
    expect(m.untagged).toEqual([`* ESEARCH (TAG "${tagOf(m.tagged)}") MIN 5`]);
    expect((await t.c.cmd("SEARCH $")).untagged).toEqual(["* SEARCH 5"]);
  });

  it("an expunged saved message drops out; a failed SAVE, or a new SELECT, empties $", async () => {
    await t.c.cmd("SELECT INBOX");
    await t.c.cmd("SEARCH RETURN (SAVE) 2:4");
    await t.c.cmd("STORE 3 +FLAGS.SILENT (\\Deleted)");
    await t.c.cmd("EXPUNGE");
    expect((await t.c.cmd("UID FETCH $ (UID)")).untagged).toEqual(["* 2 FETCH (UID 2)", "* 3 FETCH (UID 4)"]);
    const bad = await t.c.cmd("SEARCH RETURN (SAVE) CHARSET KOI8-R SUBJECT x");
    expect(bad.tagged).toMatch(/NO \[BADCHARSET/);
    expect((await t.c.cmd("FETCH $ (UID)")).untagged).toEqual([]);
    await t.c.cmd("SEARCH RETURN (SAVE) 1");
    await t.c.cmd("SELECT INBOX");
    expect((await t.c.cmd("SEARCH $")).untagged).toEqual(["* SEARCH"]);
  });
});
