// IMAP4rev2 (RFC 9051) and UTF8=ACCEPT (RFC 6855) beside IMAP4rev1: a session that enables them
// gets the rev2 rules (Appendix E) and UTF-8 mailbox names; a rev1 session behaves as before.
import { describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { useServer } from "./setup.js";

const t = useServer();

const appendNew = async () => {
  const msg = "From: a@b.example\r\nSubject: new\r\n\r\nhi\r\n";
  return t.c.cmd(`APPEND INBOX {${msg.length}+}\r\n${msg}`);
};

describe("IMAP4rev2", () => {
  it("is advertised beside IMAP4rev1 and switched on by ENABLE", async () => {
    const caps = (await t.c.cmd("CAPABILITY")).untagged[0].split(" ");
    expect(caps.slice(2, 5)).toEqual(["IMAP4rev1", "IMAP4rev2", "LITERAL+"]);
    expect(caps).toContain("UTF8=ACCEPT");
    const r = await t.c.cmd("ENABLE IMAP4rev2");
    expect(r.untagged).toEqual(["* ENABLED IMAP4rev2"]);
    expect((await t.c.cmd("ENABLE IMAP4rev2")).untagged).toEqual(["* ENABLED"]);
  });

  it("SELECT tells no RECENT and names the mailbox in a LIST (Appendix E, 10 and 12)", async () => {
    await t.c.cmd("ENABLE IMAP4rev2");
    const r = await t.c.cmd("SELECT INBOX");
    expect(r.untagged.some((l) => / RECENT$/.test(l))).toBe(false);
    expect(r.untagged).toContain('* LIST () "/" INBOX');
    expect(r.untagged).toContain("* 8 EXISTS");
  });

  it("answers SEARCH with ESEARCH, a plain one as RETURN (ALL) (§6.4.4)", async () => {
    await t.c.cmd("ENABLE IMAP4rev2");
    await t.c.cmd("SELECT INBOX");
    const all = await t.c.cmd("SEARCH ALL");
    expect(all.untagged).toEqual([`* ESEARCH (TAG "${all.tagged.split(" ")[0]}") ALL 1:8`]);
    const uids = await t.c.cmd("UID SEARCH UNSEEN");
    expect(uids.untagged[0]).toMatch(/^\* ESEARCH \(TAG "\S+"\) UID ALL \d/);
    const none = await t.c.cmd("SEARCH SUBJECT nothing-has-this-subject");
    expect(none.untagged).toEqual([`* ESEARCH (TAG "${none.tagged.split(" ")[0]}")`]);
    const count = await t.c.cmd("SEARCH RETURN (COUNT) ALL");
    expect(count.untagged[0]).toMatch(/ COUNT 8$/);
  });

  it("shows no \\Recent, and every unsolicited FETCH names its UID (Appendix E, 12 and 21)", async () => {
    await appendNew();
    const other = await t.connect();
    await other.cmd("ENABLE IMAP4rev2");
    await other.cmd("SELECT INBOX");
    const f = await other.cmd("FETCH 9 FLAGS");
    expect(f.untagged).toEqual(["* 9 FETCH (FLAGS ())"]);
    await t.c.cmd("SELECT INBOX");
    await t.c.cmd("STORE 1 +FLAGS (\\Flagged)");
    const n = await other.cmd("NOOP");
    expect(n.untagged.find((l) => l.startsWith("* 1 FETCH"))).toMatch(/^\* 1 FETCH \(UID \d+ FLAGS \(.*\\Flagged.*\)\)$/);
    await appendNew();
    const n2 = await other.cmd("NOOP");
    expect(n2.untagged).toContain("* 10 EXISTS");
    expect(n2.untagged.some((l) => / RECENT$/.test(l))).toBe(false);
  });

  it("refuses STATUS RECENT and answers DELETED and SIZE (Appendix E, 3 and 12)", async () => {
    await t.c.cmd("ENABLE IMAP4rev2");
    expect((await t.c.cmd("STATUS INBOX (RECENT)")).tagged).toMatch(/BAD RECENT is not a STATUS item/);
    const st = await t.c.cmd("STATUS INBOX (MESSAGES DELETED SIZE)");
    expect(st.untagged[0]).toMatch(/^\* STATUS INBOX \(MESSAGES 8 DELETED \d+ SIZE \d+\)$/);
  });

  it("keeps $Forwarded, $Junk, $NotJunk, $Phishing and $MDNSent as MH sequences (Appendix E, 15)", async () => {
    await t.c.cmd("ENABLE IMAP4rev2");
    await t.c.cmd("SELECT INBOX");
    const r = await t.c.cmd("STORE 2 +FLAGS ($Forwarded $Junk $NotJunk $Phishing $MDNSent)");
    const shown = r.untagged[r.untagged.length - 1];
    for (const k of ["$Forwarded", "$Junk", "$NotJunk", "$Phishing", "$MDNSent"]) expect(shown).toContain(k);
    const seqs = (await import("node:fs")).readFileSync(join(t.mail.root, "inbox", ".mh_sequences"), "utf8");
    for (const k of ["$Forwarded", "$Junk", "$NotJunk", "$Phishing", "$MDNSent"]) expect(seqs).toMatch(new RegExp(`^\\${k}: `, "m"));
  });

  it("takes mailbox names in UTF-8, & included, and sends them so; rev1 sessions still see modified UTF-7", async () => {
    await t.c.cmd("ENABLE IMAP4rev2");
    expect((await t.c.cmd('CREATE "Entwürfe"')).tagged).toMatch(/OK/);
    expect((await t.c.cmd('CREATE "R&D"')).tagged).toMatch(/OK/);
    expect(existsSync(join(t.mail.root, "Entwürfe"))).toBe(true);
    expect(existsSync(join(t.mail.root, "R&D"))).toBe(true);
    // the client reads responses as latin1: UTF-8 bytes show as their latin1 characters
    const asWire = (s: string) => Buffer.from(s, "utf8").toString("latin1");
    const l = await t.c.cmd('LIST "" "*"');
    expect(l.untagged).toContain(asWire('* LIST (\\HasNoChildren) "/" "Entwürfe"'));
    expect(l.untagged).toContain('* LIST (\\HasNoChildren) "/" R&D');
    expect((await t.c.cmd('STATUS "Entwürfe" (MESSAGES)')).untagged).toEqual([asWire('* STATUS "Entwürfe" (MESSAGES 0)')]);
    const rev1 = await t.connect();
    const l1 = await rev1.cmd('LIST "" "*"');
    expect(l1.untagged).toContain('* LIST (\\HasNoChildren) "/" Entw&APw-rfe');
    expect(l1.untagged).toContain('* LIST (\\HasNoChildren) "/" R&-D');
    // a name that is not UTF-8 is bad syntax in UTF-8 mode (RFC 6855 §3)
    expect((await t.c.cmd(Buffer.from('CREATE "bad\xff\xfe"', "latin1"))).tagged).toMatch(/BAD Invalid mailbox name/);
  });

  it("leaves a rev1 session as it was", async () => {
    await appendNew();
    const r = await t.c.cmd("SELECT INBOX");
    expect(r.untagged).toContain("* 1 RECENT");
    expect(r.untagged.some((l) => l.startsWith("* LIST"))).toBe(false);
    expect((await t.c.cmd("SEARCH ALL")).untagged).toEqual(["* SEARCH 1 2 3 4 5 6 7 8 9"]);
    expect((await t.c.cmd("FETCH 9 FLAGS")).untagged).toEqual(["* 9 FETCH (FLAGS (\\Recent))"]);
  });
});

describe("UTF8=ACCEPT", () => {
  it("is enabled, takes UTF-8 names, refuses SEARCH CHARSET and searches in UTF-8", async () => {
    expect((await t.c.cmd("ENABLE UTF8=ACCEPT")).untagged).toEqual(["* ENABLED UTF8=ACCEPT"]);
    const msg = Buffer.from("From: a@b.example\r\nSubject: Grüße aus Köln\r\n\r\nbody\r\n", "utf8");
    const app = await t.c.cmd(Buffer.concat([Buffer.from(`APPEND INBOX UTF8 (~{${msg.length}+}\r\n`), msg, Buffer.from(")")]));
    expect(app.tagged).toMatch(/OK \[APPENDUID/);
    await t.c.cmd("SELECT INBOX");
    expect((await t.c.cmd("SEARCH CHARSET UTF-8 ALL")).tagged).toMatch(/BAD No CHARSET after ENABLE UTF8=ACCEPT/);
    const found = await t.c.cmd(Buffer.from('SEARCH SUBJECT "grüße"', "utf8"));
    expect(found.untagged).toEqual(["* SEARCH 9"]);
    expect((await t.c.cmd(Buffer.from('CREATE "Päckchen"', "utf8"))).tagged).toMatch(/OK/);
    expect(existsSync(join(t.mail.root, "Päckchen"))).toBe(true);
  });
});
