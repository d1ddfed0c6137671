// CONDSTORE and QRESYNC (RFC 7162) through a real socket on the fixture MH mail, with nmh
// changing the folder underneath: MODSEQ in FETCH, CHANGEDSINCE, UNCHANGEDSINCE/[MODIFIED],
// HIGHESTMODSEQ, the MODSEQ search key, ENABLE, SELECT (CONDSTORE)/(QRESYNC ...), VANISHED.
import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { useServer } from "../imap/setup.js";
import type { RawClient } from "../imap/harness.js";

const t = useServer();

function nmh(cmd: string, args: string[]): string {
  return execFileSync(`/usr/bin/mh/${cmd}`, args, {
    env: { ...process.env, HOME: t.mail.home, MH: join(t.mail.home, ".mh_profile") },
    encoding: "utf8",
  });
}

const num = (re: RegExp, lines: string[]): number => {
  for (const l of lines) {
    const m = re.exec(l);
    if (m) return Number(m[1]);
  }
  throw new Error(`${re} not in ${lines.join(" | ")}`);
};

async function selectCondstore(c: RawClient, box = "INBOX") {
  const r = await c.cmd(`SELECT ${box} (CONDSTORE)`);
  expect(r.tagged).toMatch(/OK \[READ-WRITE\]/);
  return {
    highest: num(/^\* OK \[HIGHESTMODSEQ (\d+)\]/, r.untagged),
    uidValidity: num(/^\* OK \[UIDVALIDITY (\d+)\]/, r.untagged),
  };
}

/** UID → MODSEQ of every message. */
async function modseqs(c: RawClient): Promise<Map<number, number>> {
  const r = await c.cmd("UID FETCH 1:* (MODSEQ)");
  const out = new Map<number, number>();
  for (const l of r.untagged) {
    const m = /UID (\d+) MODSEQ \((\d+)\)/.exec(l);
    if (m) out.set(Number(m[1]), Number(m[2]));
  }
  return out;
}

describe("CONDSTORE", () => {
  it("is advertised, and HIGHESTMODSEQ comes with SELECT only once CONDSTORE is on", async () => {
    const caps = (await t.c.cmd("CAPABILITY")).untagged[0];
    for (const c of ["CONDSTORE", "QRESYNC", "ESEARCH", "SEARCHRES", "STATUS=SIZE", "BINARY", "MULTIAPPEND", "SORT", "THREAD=REFERENCES", "THREAD=ORDEREDSUBJECT"]) {
      expect(caps.split(" ")).toContain(c);
    }
    const plain = await t.c.cmd("SELECT INBOX");
    expect(plain.untagged.some((l) => l.includes("HIGHESTMODSEQ"))).toBe(false);
    const { highest } = await selectCondstore(t.c);
    expect(highest).toBeGreaterThan(0);
    const st = await t.c.cmd("STATUS one (HIGHESTMODSEQ MESSAGES)");
    expect(st.untagged[0]).toMatch(/^\* STATUS one \(HIGHESTMODSEQ \d+ MESSAGES 22\)$/);
  });

  it("MODSEQ in FETCH, implied by CHANGEDSINCE, and after every change", async () => {
    const { highest } = await selectCondstore(t.c);
    const before = await modseqs(t.c);
    expect(Math.max(...before.values())).toBe(highest);
    const st = await t.c.cmd("STORE 3 +FLAGS (\\Flagged)");
    const m = /^\* 3 FETCH \(FLAGS \(([^)]*)\) MODSEQ \((\d+)\)\)$/.exec(st.untagged[0]);
    expect(m).not.toBeNull();
    const newModseq = Number(m![2]);
    expect(newModseq).toBeGreaterThan(highest);
    // only message 3 changed since the old HIGHESTMODSEQ; MODSEQ is there without asking
    const cs = await t.c.cmd(`FETCH 1:* (FLAGS) (CHANGEDSINCE ${highest})`);
    expect(cs.untagged).toEqual([`* 3 FETCH (FLAGS (${m![1]}) MODSEQ (${newModseq}))`]);
    const uidCs = await t.c.cmd(`UID FETCH 1:* (UID) (CHANGEDSINCE ${highest})`);
    expect(uidCs.untagged).toEqual([`* 3 FETCH (UID 3 MODSEQ (${newModseq}))`]);
    expect((await t.c.cmd(`FETCH 1:* (FLAGS) (CHANGEDSINCE ${newModseq})`)).untagged).toEqual([]);
    // FETCH FLAGS carries MODSEQ once CONDSTORE is on
    expect((await t.c.cmd("FETCH 3 (FLAGS)")).untagged).toEqual([`* 3 FETCH (FLAGS (${m![1]}) MODSEQ (${newModseq}))`]);
  });

  it("a CONDSTORE enabling command on a plain SELECT tells HIGHESTMODSEQ first", async () => {
    await t.c.cmd("SELECT INBOX");
    const r = await t.c.cmd("FETCH 1 (MODSEQ)");
    expect(r.untagged[0]).toMatch(/^\* OK \[HIGHESTMODSEQ \d+\] /);
    expect(r.untagged[1]).toMatch(/^\* 1 FETCH \(MODSEQ \(\d+\)\)$/);
  });

  it("UNCHANGEDSINCE refuses messages changed meanwhile with [MODIFIED] (RFC 7162 §3.1.3 example)", async () => {
    const a = t.c;
    const b = await t.connect();
    const { highest } = await selectCondstore(a);
    await b.cmd("SELECT INBOX");
    // another session changes 7 and 9... here 3 and 6
    await b.cmd("STORE 3,6 +FLAGS (\\Answered)");
    const r = await a.cmd(`STORE 3,5,6 (UNCHANGEDSINCE ${highest}) +FLAGS.SILENT (\\Deleted)`);
    expect(r.tagged).toMatch(/^T\d+ OK \[MODIFIED 3,6\] /);
    // .SILENT: only the new MODSEQ of the message that did change; the others' FLAGS come as updates
    const five = r.untagged.filter((l) => l.startsWith("* 5 FETCH"));
    expect(five).toEqual([expect.stringMatching(/^\* 5 FETCH \(MODSEQ \(\d+\)\)$/)]);
    const flags = await a.cmd("FETCH 3,5,6 (FLAGS)");
    expect(flags.untagged.find((l) => l.startsWith("* 5 "))).toContain("\\Deleted");
    expect(flags.untagged.find((l) => l.startsWith("* 3 "))).not.toContain("\\Deleted");
    // UNCHANGEDSINCE 0 always fails for an existing message (RFC 7162 §3.1.3)
    const zero = await a.cmd("UID STORE 1 (UNCHANGEDSINCE 0) +FLAGS (\\Flagged)");
    expect(zero.tagged).toMatch(/OK \[MODIFIED 1\]/);
  });

  it("SEARCH MODSEQ returns the highest MODSEQ of what it found", async () => {
    const { highest } = await selectCondstore(t.c);
    await t.c.cmd("STORE 4 +FLAGS (\\Flagged)");
    await t.c.cmd("STORE 7 +FLAGS (\\Flagged)");
    const ms = await modseqs(t.c);
    const r = await t.c.cmd(`SEARCH MODSEQ ${highest + 1}`);
    expect(r.untagged).toEqual([`* SEARCH 4 7 (MODSEQ ${Math.max(ms.get(4)!, ms.get(7)!)})`]);
    expect((await t.c.cmd(`SEARCH MODSEQ ${highest + 100}`)).untagged).toEqual(["* SEARCH"]);
    const e = await t.c.cmd(`UID SEARCH RETURN (MIN COUNT) MODSEQ ${highest + 1}`);
    expect(e.untagged).toEqual([expect.stringMatching(new RegExp(`^\\* ESEARCH \\(TAG "T\\d+"\\) UID MIN 4 COUNT 2 MODSEQ ${ms.get(7)}$`))]);
  });

  it("nmh mark, rmm, inc and folder -pack give changes MODSEQs a client can ask for", async () => {
    const { highest } = await selectCondstore(t.c);
    await t.c.cmd("LOGOUT");
    nmh("mark", ["+inbox", "3", "-sequence", "flagged", "-add"]);
    const mbox = join(t.mail.home, "drop.mbox");
    writeFileSync(mbox, "From x@y.example Mon Mar  4 10:00:00 2024\nFrom: x@y.example\nSubject: incoming\n\nhi\n\n");
    nmh("inc", ["+inbox", "-file", mbox, "-notruncate", "-silent"]);
    nmh("rmm", ["+inbox", "5"]);
    nmh("folder", ["+inbox", "-pack"]);
    const c = await t.connect();
    const { highest: after } = await selectCondstore(c);
    expect(after).toBeGreaterThan(highest);
    const changed = await c.cmd(`UID FETCH 1:* (FLAGS) (CHANGEDSINCE ${highest})`);
    const uids = changed.untagged.map((l) => Number(/UID (\d+)/.exec(l)![1]));
    // message 3 (flagged by mark) and the new one (UID 9); pack renumbered files but changed no UID
    expect(uids).toEqual([3, 9]);
    expect(changed.untagged[0]).toContain("\\Flagged");
    expect((await c.cmd("UID SEARCH ALL")).untagged).toEqual(["* SEARCH 1 2 3 4 6 7 8 9"]);
    await c.cmd("ENABLE QRESYNC");
    const v = await c.cmd(`UID FETCH 1:* (FLAGS) (CHANGEDSINCE ${highest} VANISHED)`);
    expect(v.untagged[0]).toBe("* VANISHED (EARLIER) 5");
  });
});

describe("QRESYNC", () => {
  it("needs ENABLE QRESYNC; VANISHED replaces EXPUNGE once it is on", async () => {
    expect((await t.c.cmd("SELECT INBOX (QRESYNC (1 1))")).tagged).toMatch(/^T\d+ BAD /);
    expect((await t.c.cmd("ENABLE QRESYNC")).untagged).toEqual(["* ENABLED QRESYNC"]);
    const b = await t.connect();
    await t.c.cmd("SELECT INBOX");
    await b.cmd("SELECT INBOX");
    await b.cmd("STORE 3,4 +FLAGS.SILENT (\\Deleted)");
    await b.cmd("EXPUNGE");
    const n = await t.c.cmd("NOOP");
    expect(n.untagged).toContain("* VANISHED 3:4");
    expect(n.untagged.some((l) => / EXPUNGE$/.test(l))).toBe(false);
    // our own EXPUNGE too, and unsolicited FETCH carries UID and MODSEQ
    await b.cmd("STORE 1 +FLAGS (\\Flagged)");
    const f = await t.c.cmd("NOOP");
    expect(f.untagged).toEqual([expect.stringMatching(/^\* 1 FETCH \(UID 1 FLAGS \([^)]*\\Flagged[^)]*\) MODSEQ \(\d+\)\)$/)]);
    await t.c.cmd("STORE 1 +FLAGS.SILENT (\\Deleted)");
    expect((await t.c.cmd("EXPUNGE")).untagged).toEqual(["* VANISHED 1"]);
  });

  it("resync: VANISHED (EARLIER) and FETCH of exactly what nmh and another session changed", async () => {
    // the client's first visit
    const { highest, uidValidity } = await selectCondstore(t.c);
    const uids = (await t.c.cmd("UID SEARCH ALL")).untagged[0].replace("* SEARCH ", "");
    expect(uids).toBe("1 2 3 4 5 6 7 8");
    t.c.close();
    // meanwhile: nmh marks 3 flagged and 1 unseen, removes 4; another session flags 7, expunges 8
    nmh("mark", ["+inbox", "3", "-sequence", "flagged", "-add"]);
    nmh("mark", ["+inbox", "1", "-sequence", "unseen", "-add"]);
    nmh("rmm", ["+inbox", "4"]);
    const other = await t.connect();
    await other.cmd("SELECT INBOX");
    await other.cmd("UID STORE 7 +FLAGS (\\Answered)");
    await other.cmd("UID STORE 8 +FLAGS.SILENT (\\Deleted)");
    await other.cmd("UID EXPUNGE 8");
    await other.cmd("LOGOUT");
    // the client comes back
    const c = await t.connect();
    await c.cmd("ENABLE QRESYNC");
    const r = await c.cmd(`SELECT INBOX (QRESYNC (${uidValidity} ${highest} 1:8))`);
    expect(r.tagged).toMatch(/OK \[READ-WRITE\]/);
    const sync = r.untagged.filter((l) => /VANISHED|FETCH/.test(l));
    expect(sync[0]).toBe("* VANISHED (EARLIER) 4,8");
    const fetches = sync.slice(1).map((l) => l.replace(/MODSEQ \(\d+\)/, "MODSEQ (n)"));
    expect(fetches).toEqual([
      "* 1 FETCH (UID 1 FLAGS () MODSEQ (n))",
      "* 3 FETCH (UID 3 FLAGS (\\Flagged \\Seen) MODSEQ (n))",
      "* 6 FETCH (UID 7 FLAGS (\\Answered) MODSEQ (n))",
    ]);
    // every reported MODSEQ is above the old one and at most the new HIGHESTMODSEQ
    const newHighest = num(/^\* OK \[HIGHESTMODSEQ (\d+)\]/, r.untagged);
    for (const l of sync.slice(1)) {
      const m = Number(/MODSEQ \((\d+)\)/.exec(l)![1]);
      expect(m).toBeGreaterThan(highest);
      expect(m).toBeLessThanOrEqual(newHighest);
    }
    // known UIDs limit what is told; a wrong UIDVALIDITY tells nothing
    const part = await c.cmd(`SELECT INBOX (QRESYNC (${uidValidity} ${highest} 1:5))`);
    expect(part.untagged[0]).toBe("* OK [CLOSED] Previous mailbox closed.");
    expect(part.untagged.filter((l) => /VANISHED|FETCH/.test(l))).toEqual([
      "* VANISHED (EARLIER) 4",
      expect.stringMatching(/^\* 1 FETCH \(UID 1 /),
      expect.stringMatching(/^\* 3 FETCH \(UID 3 /),
    ]);
    const wrong = await c.cmd(`EXAMINE INBOX (QRESYNC (${uidValidity + 1} ${highest}))`);
    expect(wrong.untagged.filter((l) => /VANISHED|FETCH/.test(l))).toEqual([]);
  });
});
