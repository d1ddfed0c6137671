import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { useServer } from "./setup.js";

const t = useServer();

describe("any state", () => {
  it("CAPABILITY is computed from the table", async () => {
    const r = await t.c.cmd("CAPABILITY");
    expect(r.tagged).toMatch(/^T1 OK/);
    const caps = r.untagged[0].split(" ").slice(2);
    for (const c of ["IMAP4rev1", "LITERAL+", "IDLE", "UIDPLUS", "MOVE", "UNSELECT", "NAMESPACE", "ID", "ENABLE",
      "CHILDREN", "LIST-EXTENDED", "LIST-STATUS", "SPECIAL-USE"]) expect(caps).toContain(c);
    expect(new Set(caps).size).toBe(caps.length);
  });
  it("NOOP, NAMESPACE, ID, ENABLE", async () => {
    expect((await t.c.cmd("NOOP")).tagged).toBe("T1 OK NOOP completed.");
    expect((await t.c.cmd("NAMESPACE")).untagged).toEqual(['* NAMESPACE (("" "/")) NIL NIL']);
    const id = await t.c.cmd('ID ("name" "test")');
    expect(id.untagged[0]).toMatch(/^\* ID \("name" "asimap"/);
    expect((await t.c.cmd(`ID ("${"f".repeat(31)}" "v")`)).tagged).toMatch(/^T4 BAD .*longer than 30 octets/);
    const en = await t.c.cmd("ENABLE FOO");
    expect(en.untagged).toEqual(["* ENABLED"]);
  });
  it("syntax errors are BAD and the connection stays", async () => {
    const r = await t.c.cmd("FROBNICATE");
    expect(r.tagged).toMatch(/^T1 BAD /);
    const r2 = await t.c.cmd("FETCH");
    expect(r2.tagged).toMatch(/^T2 BAD /);
    expect((await t.c.cmd("NOOP")).tagged).toMatch(/^T3 OK/);
  });
  it("selected-state commands need a mailbox; LOGIN is refused", async () => {
    expect((await t.c.cmd("FETCH 1 FLAGS")).tagged).toBe("T1 BAD No mailbox selected.");
    expect((await t.c.cmd("LOGIN a b")).tagged).toMatch(/^T2 NO/);
  });
  it("LOGOUT says BYE then OK and closes", async () => {
    const r = await t.c.cmd("LOGOUT");
    expect(r.untagged).toEqual(["* BYE Logging out"]);
    expect(r.tagged).toBe("T1 OK Logout completed.");
  });
});

describe("mailboxes", () => {
  it("LIST with %, *, references, children and special-use", async () => {
    await t.c.cmd("CREATE one/sub");
    const all = await t.c.cmd('LIST "" "*"');
    expect(all.untagged[0]).toBe('* LIST (\\HasNoChildren) "/" INBOX');
    expect(all.untagged).toContain('* LIST (\\HasChildren) "/" one');
    expect(all.untagged).toContain('* LIST (\\HasNoChildren) "/" one/sub');
    expect(all.untagged).toContain('* LIST (\\HasNoChildren \\Sent) "/" "Sent Messages"');
    const top = await t.c.cmd('LIST "" "%"');
    expect(top.untagged).toContain('* LIST (\\HasChildren) "/" one');
    expect(top.untagged.some((l) => l.endsWith("one/sub"))).toBe(false);
    const ref = await t.c.cmd('LIST "one" "*"');
    expect(ref.untagged).toEqual(['* LIST (\\HasNoChildren) "/" one/sub']);
    const inbox = await t.c.cmd('LIST "" "inbox"');
    expect(inbox.untagged).toEqual(['* LIST (\\HasNoChildren) "/" INBOX']);
    expect((await t.c.cmd('LIST "" ""')).untagged).toEqual(['* LIST (\\Noselect) "/" ""']);
  });
  it("LIST-EXTENDED: SPECIAL-USE selection, RETURN (SUBSCRIBED STATUS)", async () => {
    await t.c.cmd("SUBSCRIBE INBOX");
    const su = await t.c.cmd('LIST (SPECIAL-USE) "" "*"');
    expect(su.untagged.length).toBe(5);
    const st = await t.c.cmd('LIST "" "INBOX" RETURN (SUBSCRIBED STATUS (MESSAGES UNSEEN))');
    expect(st.untagged).toEqual(['* LIST (\\HasNoChildren \\Subscribed) "/" INBOX', "* STATUS INBOX (MESSAGES 8 UNSEEN 4)"]);
    const sub = await t.c.cmd('LIST (SUBSCRIBED) "" "*"');
    expect(sub.untagged).toEqual(['* LIST (\\HasNoChildren \\Subscribed) "/" INBOX']);
    const lsub = await t.c.cmd('LSUB "" "*"');
    expect(lsub.untagged).toEqual(['* LSUB () "/" INBOX']);
  });
  it("CREATE, RENAME, DELETE and their errors", async () => {
    expect((await t.c.cmd("CREATE work")).tagged).toMatch(/^T1 OK \[MAILBOXID \(F[0-9a-z]+\)\] Create completed\.$/);
    expect((await t.c.cmd("CREATE work")).tagged).toMatch(/^T2 NO \[ALREADYEXISTS\]/);
    expect((await t.c.cmd("CREATE 1234")).tagged).toMatch(/^T3 NO \[CANNOT\]/);
    expect((await t.c.cmd('CREATE "../escape"')).tagged).toMatch(/^T4 NO \[CANNOT\]/);
    expect((await t.c.cmd("RENAME work play")).tagged).toBe("T5 OK Rename completed.");
    expect((await t.c.cmd("SELECT work")).tagged).toMatch(/^T6 NO \[NONEXISTENT\]/);
    expect((await t.c.cmd("DELETE play")).tagged).toBe("T7 OK Delete completed.");
    expect((await t.c.cmd("DELETE INBOX")).tagged).toMatch(/^T8 NO/);
    expect((await t.c.cmd("CREATE &AMk-t&AOk-")).tagged).toMatch(/^T9 OK \[MAILBOXID \(F[0-9a-z]+\)\] Create completed\.$/);
    expect(readdirSync(t.mail.root)).toContain("Été");
    expect((await t.c.cmd('LIST "" "&AMk-t&AOk-"')).untagged).toEqual(['* LIST (\\HasNoChildren) "/" &AMk-t&AOk-']);
  });
  it("a name that is not modified UTF-7 is NO [CANNOT], a LIST pattern that is not matches nothing (as Dovecot)", async () => {
    // imaptest's `atoms`: every atom character that is not an atom-special, with "&'" in it
    const atoms = "!#$&'+,-.0123456789:;<=>?@^_`|[}";
    expect((await t.c.cmd(`SELECT ${atoms}`)).tagged).toMatch(/^T1 NO \[CANNOT\] Invalid mailbox name: /);
    expect((await t.c.cmd(`LIST "" ${atoms}%*`))).toEqual({ untagged: [], tagged: "T2 OK List completed." });
    expect((await t.c.cmd('CREATE "a&b"')).tagged).toMatch(/^T3 NO \[CANNOT\] Invalid mailbox name: /);
    expect((await t.c.cmd('STATUS "a&b" (MESSAGES)')).tagged).toMatch(/^T4 NO \[CANNOT\]/);
    expect((await t.c.cmd('RENAME INBOX "&Jjo"')).tagged).toMatch(/^T5 NO \[CANNOT\]/);
    expect((await t.c.cmd('LIST "a&" "*"'))).toEqual({ untagged: [], tagged: "T6 OK List completed." });
    expect((await t.c.cmd('LIST "" ("a&*" "INBOX")')).untagged).toEqual(['* LIST (\\HasNoChildren) "/" INBOX']);
    expect((await t.c.cmd('LSUB "" "a&*"'))).toEqual({ untagged: [], tagged: "T8 OK Lsub completed." });
    // still a syntax error when the rest of the command is one
    expect((await t.c.cmd("SELECT a&b (FOO")).tagged).toMatch(/^T9 BAD /);
    expect((await t.c.cmd("NOOP")).tagged).toMatch(/^T10 OK/);
  });
  it("a subscribed mailbox that no longer exists stays subscribed: \\NonExistent in LIST (SUBSCRIBED), in LSUB (as Dovecot)", async () => {
    await t.c.cmd("CREATE gone");
    await t.c.cmd("SUBSCRIBE gone");
    expect((await t.c.cmd("DELETE gone")).tagged).toMatch(/^T3 OK/);
    const gone = '* LIST (\\Subscribed \\NonExistent) "/" gone';
    expect((await t.c.cmd('LIST (SUBSCRIBED) "" "*"')).untagged).toContain(gone);
    expect((await t.c.cmd('LIST (SUBSCRIBED) "" "%"')).untagged).toContain(gone);
    expect((await t.c.cmd('LIST (SUBSCRIBED) "" "*" RETURN (CHILDREN)')).untagged)
      .toContain('* LIST (\\Subscribed \\NonExistent \\HasNoChildren) "/" gone');
    // no STATUS for a mailbox that does not exist
    const st = (await t.c.cmd('LIST (SUBSCRIBED) "" "g*" RETURN (STATUS (MESSAGES))')).untagged;
    expect(st).toEqual([gone]);
    expect((await t.c.cmd('LIST "" "*" RETURN (SUBSCRIBED)')).untagged.join("\n")).not.toContain(" gone");
    expect((await t.c.cmd('LSUB "" "*"')).untagged).toContain('* LSUB () "/" gone');
    await t.c.cmd("UNSUBSCRIBE gone");
    expect((await t.c.cmd('LIST (SUBSCRIBED) "" "*"')).untagged).not.toContain(gone);
  });
  it("a deleted parent stays as \\Noselect; RENAME INBOX moves its messages; CREATE with USE", async () => {
    await t.c.cmd("CREATE p/q");
    expect((await t.c.cmd("DELETE p")).tagged).toMatch(/^T2 OK/);
    expect((await t.c.cmd('LIST "" ("p" "p/*")')).untagged).toEqual([
      '* LIST (\\Noselect \\HasChildren) "/" p', '* LIST (\\HasNoChildren) "/" p/q']);
    expect((await t.c.cmd("SELECT p")).tagged).toMatch(/^T4 NO/);
    expect((await t.c.cmd("STATUS p (MESSAGES)")).tagged).toMatch(/^T5 NO/);
    expect((await t.c.cmd("RENAME INBOX old-inbox")).tagged).toMatch(/^T6 OK/);
    expect((await t.c.cmd("STATUS old-inbox (MESSAGES)")).untagged).toEqual(['* STATUS old-inbox (MESSAGES 8)']);
    expect((await t.c.cmd("STATUS INBOX (MESSAGES)")).untagged).toEqual(["* STATUS INBOX (MESSAGES 0)"]);
    expect((await t.c.cmd("CREATE Saved (USE (\\Archive))")).tagged).toMatch(/^T9 OK/);
    expect((await t.c.cmd('LIST "" "Saved"')).untagged).toEqual(['* LIST (\\HasNoChildren \\Archive) "/" Saved']);
  });

  it("STATUS counts", async () => {
    const r = await t.c.cmd("STATUS inbox (MESSAGES RECENT UIDNEXT UNSEEN)");
    expect(r.untagged).toEqual(["* STATUS INBOX (MESSAGES 8 RECENT 0 UIDNEXT 9 UNSEEN 4)"]);
    expect((await t.c.cmd("STATUS nosuch (MESSAGES)")).tagged).toMatch(/^T2 NO \[NONEXISTENT\]/);
  });
  it("APPEND with flags and date; APPENDUID; TRYCREATE", async () => {
    const msg = "From: a@b.example\r\nSubject: hi\r\n\r\nbody\r\n";
    const r = await t.c.cmd(`APPEND INBOX (\\Seen $Label) "01-Feb-2024 10:00:00 +0000" {${msg.length}+}\r\n${msg}`);
    expect(r.tagged).toMatch(/^T1 OK \[APPENDUID \d+ 9\] Append completed\.$/);
    const stored = readFileSync(join(t.mail.root, "inbox", "9"), "latin1");
    expect(stored).toBe(msg.replace(/\r\n/g, "\n"));
    await t.c.cmd("SELECT INBOX");
    const f = await t.c.cmd("FETCH 9 (FLAGS INTERNALDATE BODY.PEEK[])");
    // appended before anyone selected INBOX: recent to this first session (RFC 3501 §2.3.2)
    expect(f.untagged[0]).toMatch(/FLAGS \((\\Seen \$Label|\$Label \\Seen) \\Recent\)/);
    expect(f.untagged[0]).toContain('INTERNALDATE "01-Feb-2024 10:00:00 +0000"');
    expect(f.untagged[0]).toContain(`BODY[] {${msg.length}}\r\n${msg}`);
    const tc = await t.c.cmd(`APPEND nosuch {${msg.length}+}\r\n${msg}`);
    expect(tc.tagged).toMatch(/^T4 NO \[TRYCREATE\]/);
  });
  it("APPEND with a synchronising literal gets a continuation", async () => {
    const msg = "Subject: sync\n\nx\n";
    t.c.write(`S1 APPEND INBOX {${msg.length}}\r\n`);
    expect(await t.c.next()).toMatch(/^\+ /);
    t.c.write(msg + "\r\n");
    expect((await t.c.reply("S1")).tagged).toMatch(/^S1 OK \[APPENDUID/);
  });
});

describe("selected state", () => {
  it("EXAMINE is read-only: no \\Seen from BODY[], STORE refused", async () => {
    const r = await t.c.cmd("EXAMINE INBOX");
    expect(r.tagged).toBe("T1 OK [READ-ONLY] Examine completed.");
    const f = await t.c.cmd("FETCH 5 (BODY[TEXT])");
    expect(f.untagged[0]).not.toContain("\\Seen");
    expect((await t.c.cmd("STORE 5 +FLAGS (\\Seen)")).tagged).toMatch(/^T3 NO/);
    const again = await t.c.cmd("FETCH 5 FLAGS");
    expect(again.untagged[0]).toBe("* 5 FETCH (FLAGS ())");
    expect(readFileSync(join(t.mail.root, "inbox/.mh_sequences"), "latin1")).toContain("unseen: 5-8");
  });
  it("BODY[] sets \\Seen and reports FLAGS; PEEK does not", async () => {
    await t.c.cmd("SELECT INBOX");
    const p = await t.c.cmd("FETCH 6 BODY.PEEK[HEADER.FIELDS (Subject)]");
    expect(p.untagged[0]).toMatch(/^\* 6 FETCH \(BODY\[HEADER.FIELDS \(Subject\)\] \{\d+\}\r\nSubject: /);
    expect(p.untagged[0]).not.toContain("FLAGS");
    const f = await t.c.cmd("FETCH 6 BODY[1]<0.10>");
    expect(f.untagged[0]).toMatch(/^\* 6 FETCH \(BODY\[1\]<0> \{10\}\r\n[\s\S]{10} FLAGS \(\\Seen\)\)$/);
    expect((await t.c.cmd("FETCH 6 FLAGS")).untagged[0]).toBe("* 6 FETCH (FLAGS (\\Seen))");
  });
  it("ENVELOPE, BODYSTRUCTURE, INTERNALDATE, UID FETCH", async () => {
    await t.c.cmd("SELECT INBOX");
    const r = await t.c.cmd("UID FETCH 3:4 (ENVELOPE BODYSTRUCTURE INTERNALDATE)");
    expect(r.untagged).toHaveLength(2);
    expect(r.untagged[0]).toMatch(/^\* 3 FETCH \(UID 3 ENVELOPE \(.*\) BODYSTRUCTURE \(.*\) INTERNALDATE "\d\d-\w{3}-\d{4} \d\d:\d\d:\d\d \+0000"\)$/s);
  });
  it("sequence numbers beyond the mailbox are BAD, UID sets are lenient", async () => {
    await t.c.cmd("SELECT INBOX");
    expect((await t.c.cmd("FETCH 99 FLAGS")).tagged).toMatch(/^T2 BAD/);
    const u = await t.c.cmd("UID FETCH 7:* FLAGS");
    expect(u.untagged.map((l) => l.split(" ")[1])).toEqual(["7", "8"]);
    const u2 = await t.c.cmd("UID FETCH 100:* UID");
    expect(u2.untagged).toEqual(["* 8 FETCH (UID 8)"]);
  });
  it("STORE forms and \\Recent is not storable", async () => {
    await t.c.cmd("SELECT INBOX");
    expect((await t.c.cmd("STORE 1 +FLAGS (\\Flagged)")).untagged).toEqual(["* 1 FETCH (FLAGS (\\Flagged \\Seen))"]);
    expect((await t.c.cmd("STORE 1 -FLAGS.SILENT (\\Flagged)")).untagged).toEqual([]);
    // a new keyword is announced in FLAGS/PERMANENTFLAGS before it is used
    expect((await t.c.cmd("UID STORE 1 FLAGS (\\Answered foo)")).untagged).toEqual([
      "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft foo)",
      "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft foo \\*)] Flags permitted.",
      "* 1 FETCH (UID 1 FLAGS (\\Answered foo))",
    ]);
    expect(readFileSync(join(t.mail.root, "inbox/.mh_sequences"), "latin1")).toMatch(/replied: 1/);
    // a client cannot set or clear \Recent (RFC 3501 §2.3.2): BAD, as Dovecot answers
    for (const [tag, c] of [["T5", "STORE 1 +FLAGS (\\Recent)"], ["T6", "STORE 1 FLAGS (\\Seen \\recent)"],
      ["T7", "UID STORE 1 -FLAGS.SILENT \\Recent"]]) {
      const r = await t.c.cmd(c);
      expect(r).toEqual({ untagged: [], tagged: `${tag} BAD Error in IMAP command ${c.startsWith("UID") ? "UID STORE" : "STORE"}: Invalid system flag \\RECENT (a client cannot set \\Recent)` });
    }
    expect((await t.c.cmd("APPEND INBOX (\\Recent) {3+}\r\nabc")).tagged).toMatch(/^T8 BAD .*Invalid system flag \\RECENT/);
    expect((await t.c.cmd("FETCH 1 FLAGS")).untagged).toEqual(["* 1 FETCH (FLAGS (\\Answered foo))"]);
  });
  it("SEARCH keys", async () => {
    await t.c.cmd("SELECT INBOX");
    const s = async (q: string) => (await t.c.cmd(`SEARCH ${q}`)).untagged[0];
    expect(await s("ALL")).toBe("* SEARCH 1 2 3 4 5 6 7 8");
    expect(await s("UNSEEN")).toBe("* SEARCH 5 6 7 8");
    expect(await s("FLAGGED")).toBe("* SEARCH 2");
    expect(await s("NOT SEEN")).toBe("* SEARCH 5 6 7 8");
    expect(await s("OR FLAGGED 8")).toBe("* SEARCH 2 8");
    expect(await s("UNDRAFT 1:3")).toBe("* SEARCH 1 2 3");
    expect(await s("KEYWORD nope")).toBe("* SEARCH");
    expect(await s("LARGER 10000")).toBe("* SEARCH 6");
    expect(await s("SINCE 1-Jan-2024")).toBe("* SEARCH 1 2 3 4 5 6 7");
    expect(await s("BEFORE 1-Jan-2024")).toBe("* SEARCH 8");
    expect(await s("CHARSET UTF-8 SUBJECT \"\"")).toMatch(/^\* SEARCH 1/);
    expect((await t.c.cmd("SEARCH CHARSET KOI8-R ALL")).tagged).toMatch(/NO \[BADCHARSET \(UTF-8 US-ASCII\)\]/);
    const uid = await t.c.cmd("UID SEARCH UID 2:4 NOT DELETED");
    expect(uid.untagged[0]).toBe("* SEARCH 2 3 4");
  });
  it("COPY, MOVE with COPYUID, UID EXPUNGE, CLOSE", async () => {
    await t.c.cmd("SELECT INBOX");
    const cp = await t.c.cmd("COPY 1:2 one");
    expect(cp.tagged).toMatch(/^T2 OK \[COPYUID \d+ 1:2 23:24\] Copy completed\.$/);
    expect((await t.c.cmd("COPY 1 nosuch")).tagged).toMatch(/NO \[TRYCREATE\]/);
    const mv = await t.c.cmd("MOVE 3 one");
    expect(mv.untagged).toEqual([expect.stringMatching(/^\* OK \[COPYUID \d+ 3 25\] /), "* 3 EXPUNGE"]);
    expect(mv.tagged).toBe("T4 OK Move completed.");
    await t.c.cmd("STORE 1:2 +FLAGS.SILENT (\\Deleted)");
    const ue = await t.c.cmd("UID EXPUNGE 2");
    expect(ue.untagged).toEqual(["* 2 EXPUNGE"]);
    const ex = await t.c.cmd("EXPUNGE");
    expect(ex.untagged).toEqual(["* 1 EXPUNGE"]);
    await t.c.cmd("STORE 1 +FLAGS.SILENT (\\Deleted)");
    const cl = await t.c.cmd("CLOSE");
    expect(cl).toEqual({ untagged: [], tagged: "T9 OK Close completed." });
    expect((await t.c.cmd("STATUS INBOX (MESSAGES)")).untagged).toEqual(["* STATUS INBOX (MESSAGES 4)"]);
  });
  it("UNSELECT leaves \\Deleted messages alone", async () => {
    await t.c.cmd("SELECT INBOX");
    await t.c.cmd("STORE 1 +FLAGS.SILENT (\\Deleted)");
    expect((await t.c.cmd("UNSELECT")).tagged).toBe("T3 OK Unselect completed.");
    expect((await t.c.cmd("STATUS INBOX (MESSAGES DELETED)")).untagged).toEqual(["* STATUS INBOX (MESSAGES 8 DELETED 1)"]);
  });
});
