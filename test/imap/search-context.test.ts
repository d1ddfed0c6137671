// CONTEXT=SEARCH and CONTEXT=SORT (RFC 5267): UPDATE contexts told of changes made by this
// session, by another one and by nmh behind our back (ADDTO after EXISTS, REMOVEFROM before
// EXPUNGE), SORT contexts' positions, CANCELUPDATE, and the refusals; ESORT and PARTIAL with
// the RFC's examples. Real sockets, real MH folders, real nmh.
import { describe, expect, it } from "vitest";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { useServer } from "./setup.js";
import { nmh as runNmh } from "./nmh.js";
import type { RawClient } from "./harness.js";
import { expandSet } from "./search-oracle.js";
import { MAX_CONTEXTS } from "../../src/imap/search/update-contexts.js";

const t = useServer();

const nmh = (cmd: string, args: string[]): string => runNmh(t.mail.home, cmd, args);

/** A command sent with the tag given (the ESEARCH correlator), its reply. */
async function tagged(c: RawClient, tag: string, text: string) {
  c.write(`${tag} ${text}\r\n`);
  return c.reply(tag);
}

/** The test's client and a second one, both with INBOX selected. */
async function bothSelected(): Promise<[RawClient, RawClient]> {
  const b = await t.connect();
  for (const c of [t.c, b]) expect((await c.cmd("SELECT INBOX")).tagged).toMatch(/OK/);
  return [t.c, b];
}

const message = (subject: string) => `From: x@y.example\r\nSubject: ${subject}\r\n\r\nhello\r\n`;

/** APPENDs to INBOX, which `c` has selected: the untagged lines (its own EXISTS among them). */
async function append(c: RawClient, subject: string, date?: string): Promise<string[]> {
  const m = message(subject);
  const r = await c.cmd(`APPEND INBOX${date ? ` "${date}"` : ""} {${m.length}+}\r\n${m}`);
  expect(r.tagged).toMatch(/OK/);
  return r.untagged;
}

describe("UPDATE contexts of SEARCH", () => {
  it("another session's STORE and EXPUNGE: ADDTO after the FETCH, REMOVEFROM before the EXPUNGE (RFC 5267 §4.3.3-4)", async () => {
    const [a, b] = await bothSelected();
    const uid = async (seq: number) => /UID (\d+)/.exec((await a.cmd(`FETCH ${seq} UID`)).untagged[0])![1];
    const [u2, u3] = [await uid(2), await uid(3)];
    // §4.3's example: the count now, the changes later
    expect((await tagged(a, "B01", "UID SEARCH RETURN (UPDATE COUNT) KEYWORD $Junk")).untagged)
      .toEqual(['* ESEARCH (TAG "B01") UID COUNT 0']);
    await b.cmd("STORE 2:3 +FLAGS ($Junk)");
    const n = await a.cmd("NOOP");
    expect(n.untagged.filter((l) => l.includes("FETCH"))).toHaveLength(2);
    expect(n.untagged.at(-1)).toBe(`* ESEARCH (TAG "B01") UID ADDTO (0 ${u2}:${u3})`);
    // told once: nothing changed since
    expect((await a.cmd("NOOP")).untagged).toEqual([]);
    // a tag with an UPDATE context is not reused (§4.3)
    const reuse = await tagged(a, "B01", "SORT RETURN (UPDATE) (DATE) UTF-8 FLAGGED");
    expect(reuse.tagged).toMatch(/^B01 BAD .*Tag reuse/);
    await b.cmd("STORE 2 +FLAGS (\\Deleted)");
    await b.cmd("EXPUNGE");
    const e = await a.cmd("NOOP");
    expect(e.untagged.filter((l) => /ESEARCH|EXPUNGE/.test(l)))
      .toEqual([`* ESEARCH (TAG "B01") UID REMOVEFROM (0 ${u2})`, "* 2 EXPUNGE"]);
    // a flag change that leaves the program unmatched: REMOVEFROM at once
    await b.cmd("STORE 2 -FLAGS ($Junk)");
    expect((await a.cmd("NOOP")).untagged.at(-1)).toBe(`* ESEARCH (TAG "B01") UID REMOVEFROM (0 ${u3})`);
    // CANCELUPDATE (§4.3.5): no more updates; the tag may serve a new context
    expect((await a.cmd('CANCELUPDATE "B01"')).tagged).toMatch(/OK No further updates/);
    await b.cmd("STORE 1 +FLAGS ($Junk)");
    expect((await a.cmd("NOOP")).untagged.filter((l) => l.includes("ESEARCH"))).toEqual([]);
    expect((await tagged(a, "B01", "SEARCH RETURN (UPDATE MIN) KEYWORD $Junk")).untagged).toEqual(['* ESEARCH (TAG "B01") MIN 1']);
  });

  it("our own STORE and EXPUNGE, in sequence numbers; the removal names the number it had", async () => {
    const a = t.c;
    await a.cmd("SELECT INBOX");
    expect((await tagged(a, "S1", "SEARCH RETURN (UPDATE) FLAGGED")).untagged).toEqual(['* ESEARCH (TAG "S1")']);
    const s = await a.cmd("STORE 4:5 +FLAGS (\\Flagged \\Deleted)");
    expect(s.untagged.at(-1)).toBe('* ESEARCH (TAG "S1") ADDTO (0 4:5)');
    const e = await a.cmd("EXPUNGE");
    // both REMOVEFROM numbers are valid until the EXPUNGEs that follow
    expect(e.untagged).toEqual(['* ESEARCH (TAG "S1") REMOVEFROM (0 4:5)', "* 5 EXPUNGE", "* 4 EXPUNGE"]);
    // the APPEND tells of the new message; unflagged, it is not added
    expect((await append(a, "new")).filter((l) => /ESEARCH|EXISTS/.test(l))).toEqual(["* 7 EXISTS"]);
    await append(a, "another");
    expect((await a.cmd("STORE 8 +FLAGS.SILENT (\\Flagged)")).untagged).toEqual(['* ESEARCH (TAG "S1") ADDTO (0 8)']);
  });

  it("sequence numbers in the program are fixed when the command arrives (RFC 5267 §4.3)", async () => {
    const a = t.c;
    await a.cmd("SELECT INBOX");
    expect((await tagged(a, "P1", "SEARCH RETURN (UPDATE COUNT) 7:* KEYWORD pin")).untagged).toEqual(['* ESEARCH (TAG "P1") COUNT 0']);
    await append(a, "ninth");
    // 9 was not one of 7:* when P1 was received: it is never added
    const s = await a.cmd("STORE 8:9 +FLAGS (pin)");
    expect(s.untagged.filter((l) => l.includes("ESEARCH"))).toEqual(['* ESEARCH (TAG "P1") ADDTO (0 8)']);
  });

  it("nmh inc, mark and rmm behind our back reach a context in IDLE", async () => {
    const a = t.c;
    await a.cmd("SELECT INBOX");
    expect((await tagged(a, "N1", 'UID SEARCH RETURN (UPDATE) OR SUBJECT "by inc" FLAGGED')).tagged).toMatch(/OK/);
    const uid1 = /UID (\d+)/.exec((await a.cmd("FETCH 1 UID")).untagged[0])![1];
    const tag = a.nextTag();
    a.write(`${tag} IDLE\r\n`);
    expect(await a.next()).toBe("+ idling");
    const mbox = join(t.mail.home, "drop");
    writeFileSync(mbox, "From x@y.example Mon Jan  1 00:00:00 2024\nFrom: x@y.example\nSubject: by inc\n\nhi\n\n");
    nmh("inc", ["+inbox", "-file", mbox, "-truncate", "-silent"]);
    const inc = await a.until(/ESEARCH/);
    expect(inc).toContain("* 9 EXISTS");
    expect(inc.indexOf("* 9 EXISTS")).toBeLessThan(inc.length - 1);
    const uid9 = /ADDTO \(0 (\d+)\)$/.exec(inc.at(-1)!)![1];
    expect(inc.at(-1)).toBe(`* ESEARCH (TAG "N1") UID ADDTO (0 ${uid9})`);
    nmh("mark", ["+inbox", "1", "-sequence", "flagged", "-add"]);
    expect((await a.until(/ESEARCH/)).at(-1)).toBe(`* ESEARCH (TAG "N1") UID ADDTO (0 ${uid1})`);
    nmh("rmm", ["+inbox", "9"]);
    const rmm = await a.until(/EXPUNGE/);
    expect(rmm.slice(-2)).toEqual([`* ESEARCH (TAG "N1") UID REMOVEFROM (0 ${uid9})`, "* 9 EXPUNGE"]);
    a.write("DONE\r\n");
    expect((await a.reply(tag)).tagged).toBe(`${tag} OK Idle completed.`);
  });

  it("a new SELECT ends the contexts (RFC 5267 §4.3)", async () => {
    const [a, b] = await bothSelected();
    await tagged(a, "X1", "SEARCH RETURN (UPDATE) KEYWORD gone");
    await a.cmd("SELECT INBOX");
    await b.cmd("STORE 1 +FLAGS (gone)");
    expect((await a.cmd("NOOP")).untagged.filter((l) => l.includes("ESEARCH"))).toEqual([]);
    expect((await a.cmd('CANCELUPDATE "X1"')).tagged).toMatch(/^T\d+ NO Unknown tag/);
  });

  it("under IMAP4rev2 the updates are the same", async () => {
    await t.c.cmd("ENABLE IMAP4rev2");
    const [a, b] = await bothSelected();
    await tagged(a, "R1", "SEARCH RETURN (UPDATE) KEYWORD rev2");
    await b.cmd("STORE 3 +FLAGS (rev2)");
    const n = await a.cmd("NOOP");
    expect(n.untagged).toContain('* ESEARCH (TAG "R1") ADDTO (0 3)');
  });

  it(`beyond ${MAX_CONTEXTS} contexts the UPDATE is refused with NOUPDATE, the answer still given (RFC 5267 §4.3.1)`, async () => {
    const a = t.c;
    await a.cmd("SELECT INBOX");
    for (let i = 0; i < MAX_CONTEXTS; i++) expect((await tagged(a, `M${i}`, "SEARCH RETURN (UPDATE) DELETED")).untagged).toHaveLength(1);
    const r = await tagged(a, "B02", "UID SORT RETURN (UPDATE COUNT) (DATE) UTF-8 KEYWORD $Junk");
    expect(r.untagged).toEqual(['* ESEARCH (TAG "B02") UID COUNT 0', '* NO [NOUPDATE "B02"] Too many UPDATE contexts, or too many results held.']);
    expect(r.tagged).toMatch(/^B02 OK/);
    expect((await a.cmd('CANCELUPDATE "M0" "M1"')).tagged).toMatch(/OK/);
    expect((await tagged(a, "B03", "SEARCH RETURN (UPDATE) DELETED")).untagged).toEqual(['* ESEARCH (TAG "B03")']);
  });
});

describe("UPDATE contexts of SORT: context positions in the sort order", () => {
  it("insertions and removals name the position in the sorted result", async () => {
    const a = t.c;
    await a.cmd("SELECT INBOX");
    await append(a, "ctx A", "01-Jan-2020 00:00:00 +0000"); // 9
    await append(a, "ctx B", "01-Jan-2022 00:00:00 +0000"); // 10
    await a.cmd("NOOP");
    expect((await tagged(a, "O1", 'SORT RETURN (UPDATE ALL) (ARRIVAL) UTF-8 SUBJECT "ctx"')).untagged)
      .toEqual(['* ESEARCH (TAG "O1") ALL 9:10']);
    // 11, between A and B: ADDTO after the EXISTS
    expect((await append(a, "ctx C", "01-Jan-2021 00:00:00 +0000")).filter((l) => /EXISTS|ESEARCH/.test(l)))
      .toEqual(["* 11 EXISTS", '* ESEARCH (TAG "O1") ADDTO (2 11)']);
    // two in one update (another session's APPENDs), each pair's position valid after the one
    // before: D A C B E
    const b = await t.connect();
    await append(b, "ctx D", "01-Jan-2019 00:00:00 +0000"); // 12, first
    await append(b, "ctx E", "01-Jan-2023 00:00:00 +0000"); // 13, last
    expect((await a.cmd("NOOP")).untagged.at(-1)).toBe('* ESEARCH (TAG "O1") ADDTO (1 12 5 13)');
    // A (9) and C (11) leave: A at 2, then C, which has moved up to 2: one pair
    await a.cmd("STORE 9,11 +FLAGS.SILENT (\\Deleted)");
    const e = await a.cmd("EXPUNGE");
    expect(e.untagged).toEqual(['* ESEARCH (TAG "O1") REMOVEFROM (2 9,11)', "* 11 EXPUNGE", "* 9 EXPUNGE"]);
    expect((await a.cmd('SORT RETURN (ALL) (ARRIVAL) UTF-8 SUBJECT "ctx"')).untagged).toEqual([expect.stringMatching(/ALL 10,9,11$/)]);
  });

  it("consecutive members leaving together are one pair", async () => {
    const a = t.c;
    await a.cmd("SELECT INBOX");
    expect((await tagged(a, "O2", "UID SORT RETURN (UPDATE) (REVERSE ARRIVAL) UTF-8 KEYWORD run")).tagged).toMatch(/OK/);
    await append(a, "r1", "01-Jan-2020 00:00:00 +0000");
    await append(a, "r2", "02-Jan-2020 00:00:00 +0000");
    await append(a, "r3", "03-Jan-2020 00:00:00 +0000");
    const uids = (await a.cmd("UID SEARCH 9:11")).untagged[0].split(" ").slice(2);
    const s = await a.cmd("STORE 9:11 +FLAGS (run)");
    // newest first: r3 r2 r1, each placed at 1 as it comes in UID order
    expect(s.untagged.at(-1)).toBe(`* ESEARCH (TAG "O2") UID ADDTO (1 ${uids[0]} 1 ${uids[1]} 1 ${uids[2]})`);
    const r = await a.cmd("STORE 10:11 -FLAGS (run)");
    // r3 at 1, then r2, moved up to 1: one pair, its set in sort order
    expect(r.untagged.at(-1)).toBe(`* ESEARCH (TAG "O2") UID REMOVEFROM (1 ${uids[2]},${uids[1]})`);
  });
});

describe("ESORT and PARTIAL (RFC 5267 §3, §4.4) and what they refuse", () => {
  it("the RFC's examples: RETURN () is ALL in sort order; CONTEXT is a hint; PARTIAL beyond the end is NIL", async () => {
    const a = t.c;
    await a.cmd("SELECT INBOX");
    const plain = (await a.cmd("UID SORT (REVERSE DATE) UTF-8 UNDELETED UNKEYWORD $Junk")).untagged[0];
    const uids = plain.split(" ").slice(2).map(Number);
    const e = await tagged(a, "E01", "UID SORT RETURN () (REVERSE DATE) UTF-8 UNDELETED UNKEYWORD $Junk");
    const all = /^\* ESEARCH \(TAG "E01"\) UID ALL (\S+)$/.exec(e.untagged[0])![1];
    // expanding the set gives the sorted UIDs again, ranges only where they ascend (§3.2)
    expect(expandSet(all)).toEqual(uids);
    expect((await tagged(a, "A01", "SEARCH RETURN (CONTEXT COUNT) UNDELETED UNKEYWORD $Junk")).untagged)
      .toEqual([`* ESEARCH (TAG "A01") COUNT ${uids.length}`]);
    expect((await tagged(a, "A04", "UID SEARCH RETURN (PARTIAL 24000:24500) UNDELETED UNKEYWORD $Junk")).untagged)
      .toEqual(['* ESEARCH (TAG "A04") UID PARTIAL (24000:24500 NIL)']);
    // MIN and MAX of a SORT are its first and last (§3.1)
    expect((await tagged(a, "E02", "UID SORT RETURN (MIN MAX) (REVERSE DATE) UTF-8 ALL")).untagged)
      .toEqual([`* ESEARCH (TAG "E02") UID MIN ${uids[0]} MAX ${uids.at(-1)}`]);
    // PARTIAL 7:3 is 3:7: the third to seventh in the sort order
    const byArrival = (await a.cmd("SORT (ARRIVAL) UTF-8 ALL")).untagged[0].split(" ").slice(2).map(Number);
    const p = (await tagged(a, "E03", "SORT RETURN (PARTIAL 7:3) (ARRIVAL) UTF-8 ALL")).untagged;
    const window = /^\* ESEARCH \(TAG "E03"\) PARTIAL \(3:7 (\S+)\)$/.exec(p[0])![1];
    expect(expandSet(window)).toEqual(byArrival.slice(2, 7));
  });

  it("bad return options get a tagged BAD and the connection goes on", async () => {
    const a = t.c;
    await a.cmd("SELECT INBOX");
    for (const bad of [
      "SEARCH RETURN (PARTIAL 1:*) ALL", "SEARCH RETURN (PARTIAL *:1) ALL", "SEARCH RETURN (PARTIAL 1) ALL",
      "SEARCH RETURN (PARTIAL 0:4) ALL", "SEARCH RETURN (ALL PARTIAL 1:2) ALL",
      "SORT RETURN (PARTIAL 1:2 PARTIAL 3:4) (DATE) UTF-8 ALL", "SEARCH RETURN (UPDATES) ALL",
      "SORT (DISPLAYCC) UTF-8 ALL", "THREAD REFZ UTF-8 ALL", "CANCELUPDATE", "CANCELUPDATE A1",
    ]) {
      const r = await a.cmd(bad);
      expect(r.tagged, bad).toMatch(/^T\d+ BAD /);
      expect(r.untagged, bad).toEqual([]);
    }
    expect((await a.cmd("NOOP")).tagged).toMatch(/OK/);
    // CANCELUPDATE needs a selected mailbox
    await a.cmd("UNSELECT");
    expect((await a.cmd('CANCELUPDATE "A1"')).tagged).toMatch(/^T\d+ BAD No mailbox selected/);
  });
});
