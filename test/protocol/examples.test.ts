// Example commands: every client command of RFC 3501 §6 as the RFC shows it, and the extension
// RFCs' own examples, with the AST they must give.
import { describe, expect, test } from "vitest";
import { ParseError } from "../../src/protocol/parse.js";
import { parseText } from "./helpers.js";

const p = parseText;
const ALL_MACRO = [{ kind: "FLAGS" }, { kind: "INTERNALDATE" }, { kind: "RFC822.SIZE" }, { kind: "ENVELOPE" }];

describe("RFC 3501 §6 examples", () => {
  test("any state: CAPABILITY, NOOP, LOGOUT", () => {
    expect(p("a002 CAPABILITY")).toEqual({ tag: "a002", name: "CAPABILITY" });
    expect(p("a047 NOOP")).toEqual({ tag: "a047", name: "NOOP" });
    expect(p("A023 LOGOUT")).toEqual({ tag: "A023", name: "LOGOUT" });
  });
  test("not authenticated: STARTTLS, AUTHENTICATE, LOGIN", () => {
    expect(p("a001 STARTTLS")).toEqual({ tag: "a001", name: "STARTTLS" });
    expect(p("A001 AUTHENTICATE GSSAPI")).toEqual({ tag: "A001", name: "AUTHENTICATE", mechanism: "GSSAPI" });
    expect(p("a001 LOGIN SMITH SESAME")).toEqual({ tag: "a001", name: "LOGIN", userid: "SMITH", password: "SESAME" });
  });
  test("authenticated: SELECT ... APPEND", () => {
    expect(p("A142 SELECT INBOX")).toEqual({ tag: "A142", name: "SELECT", mailbox: "INBOX", condstore: false });
    expect(p("A932 EXAMINE blurdybloop")).toMatchObject({ name: "EXAMINE", mailbox: "blurdybloop" });
    expect(p("A003 CREATE owatagusiam/")).toEqual({ tag: "A003", name: "CREATE", mailbox: "owatagusiam/" });
    expect(p("A683 DELETE blurdybloop")).toEqual({ tag: "A683", name: "DELETE", mailbox: "blurdybloop" });
    expect(p("Z432 RENAME INBOX old-mail")).toEqual({ tag: "Z432", name: "RENAME", from: "INBOX", to: "old-mail" });
    expect(p("A002 SUBSCRIBE #news.comp.mail.mime")).toMatchObject({ name: "SUBSCRIBE", mailbox: "#news.comp.mail.mime" });
    expect(p("A002 UNSUBSCRIBE #news.comp.mail.mime")).toMatchObject({ name: "UNSUBSCRIBE", mailbox: "#news.comp.mail.mime" });
    expect(p('A101 LIST "" ""')).toMatchObject({ name: "LIST", reference: "", patterns: [""], extended: false, selection: [] });
    expect(p('A102 LIST #news.comp.mail.misc ""')).toMatchObject({ reference: "#news.comp.mail.misc", patterns: [""] });
    expect(p("A202 LIST ~/Mail/ %")).toMatchObject({ reference: "~/Mail/", patterns: ["%"] });
    expect(p('A682 LIST "" *')).toMatchObject({ patterns: ["*"] });
    expect(p('A002 LSUB "#news." "comp.mail.*"')).toEqual({ tag: "A002", name: "LSUB", reference: "#news.", pattern: "comp.mail.*" });
    expect(p("A042 STATUS blurdybloop (UIDNEXT MESSAGES)")).toEqual({ tag: "A042", name: "STATUS", mailbox: "blurdybloop", items: ["UIDNEXT", "MESSAGES"] });
    const msg = "Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)\r\nFrom: Fred Foobar <foobar@Blurdybloop.COM>\r\n\r\nHello Joe\r\n";
    expect(p(`A003 APPEND saved-messages (\\Seen) {${msg.length}}\r\n${msg}`)).toEqual({
      tag: "A003", name: "APPEND", mailbox: "saved-messages",
      messages: [{ flags: ["\\Seen"], data: Buffer.from(msg), binary: false }],
    });
  });
  test("selected: CHECK ... UID", () => {
    expect(p("FXXZ CHECK")).toEqual({ tag: "FXXZ", name: "CHECK" });
    expect(p("A341 CLOSE")).toEqual({ tag: "A341", name: "CLOSE" });
    expect(p("A202 EXPUNGE")).toEqual({ tag: "A202", name: "EXPUNGE", uid: false });
    expect(p('A282 SEARCH FLAGGED SINCE 1-Feb-1994 NOT FROM "Smith"')).toEqual({
      tag: "A282", name: "SEARCH", uid: false,
      keys: [{ kind: "FLAGGED" }, { kind: "SINCE", date: new Date(Date.UTC(1994, 1, 1)) }, { kind: "NOT", key: { kind: "FROM", value: Buffer.from("Smith") } }],
    });
    expect(p('A283 SEARCH TEXT "string not in mailbox"')).toMatchObject({ keys: [{ kind: "TEXT", value: Buffer.from("string not in mailbox") }] });
    expect(p("A284 SEARCH CHARSET UTF-8 TEXT {6}\r\nXXXXXX")).toMatchObject({ charset: "UTF-8", keys: [{ kind: "TEXT", value: Buffer.from("XXXXXX") }] });
    expect(p("A654 FETCH 2:4 (FLAGS BODY[HEADER.FIELDS (DATE FROM)])")).toEqual({
      tag: "A654", name: "FETCH", uid: false, vanished: false, set: { kind: "set", ranges: [{ start: 2, end: 4 }] },
      atts: [{ kind: "FLAGS" }, { kind: "BODY[]", peek: false, section: { part: [], text: "HEADER.FIELDS", fields: ["DATE", "FROM"] } }],
    });
    expect(p("A003 STORE 2:4 +FLAGS (\\Deleted)")).toEqual({
      tag: "A003", name: "STORE", uid: false, set: { kind: "set", ranges: [{ start: 2, end: 4 }] }, op: "add", silent: false, flags: ["\\Deleted"],
    });
    expect(p("A003 COPY 2:4 MEETING")).toMatchObject({ name: "COPY", uid: false, mailbox: "MEETING" });
    expect(p("A999 UID FETCH 4827313:4828442 FLAGS")).toMatchObject({ name: "FETCH", uid: true, set: { kind: "set", ranges: [{ start: 4827313, end: 4828442 }] }, atts: [{ kind: "FLAGS" }] });
  });
  test("X commands are unknown to us: a clear BAD", () => {
    expect(() => p("a442 XPIG-LATIN")).toThrow(/^Unknown command XPIG-LATIN$/);
  });
  test("FETCH macros, sections, partials; STORE forms; sequence sets", () => {
    expect(p("a FETCH 1 ALL")).toMatchObject({ atts: ALL_MACRO });
    expect(p("a FETCH 1 fast")).toMatchObject({ atts: ALL_MACRO.slice(0, 3) });
    expect(p("a FETCH 1 FULL")).toMatchObject({ atts: [...ALL_MACRO, { kind: "BODY" }] });
    expect(p("a FETCH 1 (BODY.PEEK[1.2.MIME] BODY[3.HEADER.FIELDS.NOT (X-Spam)]<10.20> RFC822.HEADER BODY[]<0.2048>)")).toMatchObject({
      atts: [
        { kind: "BODY[]", peek: true, section: { part: [1, 2], text: "MIME" } },
        { kind: "BODY[]", peek: false, section: { part: [3], text: "HEADER.FIELDS.NOT", fields: ["X-Spam"] }, partial: { offset: 10, length: 20 } },
        { kind: "RFC822.HEADER" },
        { kind: "BODY[]", peek: false, section: { part: [] }, partial: { offset: 0, length: 2048 } },
      ],
    });
    expect(p("a STORE 1:* FLAGS.SILENT \\Seen $Junk")).toMatchObject({ op: "replace", silent: true, flags: ["\\Seen", "$Junk"] });
    expect(p("a store 1 -flags (\\sEEN)")).toMatchObject({ op: "remove", flags: ["\\Seen"] });
    expect(p("a FETCH 1:3,7,*:9 FLAGS")).toMatchObject({ set: { ranges: [{ start: 1, end: 3 }, { start: 7, end: 7 }, { start: "*", end: 9 }] } });
    expect(() => p("a FETCH 1,$ FLAGS")).toThrow(/sequence number/); // `$` only stands alone (RFC 5182)
    expect(() => p("a FETCH 4294967296 FLAGS")).toThrow(/out of range/);
    expect(p("a FETCH 4294967295 FLAGS")).toMatchObject({ set: { ranges: [{ start: 4294967295, end: 4294967295 }] } });
  });
  test("mailbox names: INBOX rule and modified UTF-7", () => {
    expect(p("a SELECT iNbOx")).toMatchObject({ mailbox: "INBOX" });
    expect(p('a SELECT "inbox"')).toMatchObject({ mailbox: "INBOX" });
    expect(p("a SELECT inbox/sub")).toMatchObject({ mailbox: "inbox/sub" });
    expect(p("a SELECT ~peter/mail/&U,BTFw-/&ZeVnLIqe-")).toMatchObject({ mailbox: "~peter/mail/台北/日本語" });
    expect(() => p("a SELECT &Jjo")).toThrow(/Invalid mailbox name/);
  });
  test("errors carry the tag and a precise reason", () => {
    try {
      p("x1 FETCH 1 (FLAGS");
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ParseError);
      expect((e as ParseError).tag).toBe("x1");
      expect((e as ParseError).message).toMatch(/^Error in IMAP command FETCH: Expected/);
    }
  });
});

describe("extension examples", () => {
  test("IDLE, ID, NAMESPACE, UNSELECT, UID EXPUNGE, MOVE, ENABLE", () => {
    expect(p("A002 IDLE")).toEqual({ tag: "A002", name: "IDLE" });
    expect(p('a023 ID ("name" "sodr" "version" "19.34" "vendor" "Pink Floyd Music Limited")')).toMatchObject({
      params: [["name", "sodr"], ["version", "19.34"], ["vendor", "Pink Floyd Music Limited"]],
    });
    expect(p("a ID NIL")).toMatchObject({ params: null });
    expect(p("A001 NAMESPACE")).toEqual({ tag: "A001", name: "NAMESPACE" });
    expect(p("A UNSELECT")).toEqual({ tag: "A", name: "UNSELECT" });
    expect(p("A003 UID EXPUNGE 3000:3002")).toMatchObject({ name: "EXPUNGE", uid: true, set: { kind: "set", ranges: [{ start: 3000, end: 3002 }] } });
    expect(p("a UID MOVE 42:69 foo")).toMatchObject({ name: "MOVE", uid: true, mailbox: "foo" });
    expect(p("t2 ENABLE CONDSTORE qresync")).toMatchObject({ capabilities: ["CONDSTORE", "QRESYNC"] });
  });
  test("AUTHENTICATE with SASL-IR", () => {
    expect(p("a AUTHENTICATE PLAIN AGFsaWNlAHNlY3JldA==")).toMatchObject({ mechanism: "PLAIN", initialResponse: "AGFsaWNlAHNlY3JldA==" });
    expect(p("a AUTHENTICATE EXTERNAL =")).toMatchObject({ initialResponse: "" });
  });
  test("LIST-EXTENDED, SPECIAL-USE, LIST-STATUS, CREATE-SPECIAL-USE", () => {
    expect(p('A02 LIST (SUBSCRIBED) "" "*"')).toMatchObject({ selection: ["SUBSCRIBED"], extended: true, patterns: ["*"] });
    expect(p('A04 LIST (subscribed RECURSIVEMATCH) "" "%" RETURN (CHILDREN)')).toMatchObject({
      selection: ["SUBSCRIBED", "RECURSIVEMATCH"], returnOpts: { children: true, subscribed: false, specialUse: false },
    });
    expect(() => p('A05 LIST (RECURSIVEMATCH) "" "%"')).toThrow(/RECURSIVEMATCH/);
    expect(p('C04 LIST "" ("INBOX" "Drafts")')).toMatchObject({ patterns: ["INBOX", "Drafts"], extended: true });
    expect(p('A01 LIST "" % RETURN (SPECIAL-USE STATUS (MESSAGES UNSEEN))')).toMatchObject({
      extended: true, returnOpts: { specialUse: true, status: ["MESSAGES", "UNSEEN"] },
    });
    expect(p("t1 CREATE MySpecial (USE (\\Drafts \\Sent))")).toMatchObject({ mailbox: "MySpecial", specialUse: ["\\Drafts", "\\Sent"] });
    expect(p("A042 STATUS blurdybloop (UIDNEXT MESSAGES HIGHESTMODSEQ SIZE)")).toMatchObject({ items: ["UIDNEXT", "MESSAGES", "HIGHESTMODSEQ", "SIZE"] });
  });
  test("CONDSTORE / QRESYNC", () => {
    expect(p("a103 UID STORE 6,4,8 (UNCHANGEDSINCE 12121230045) +FLAGS.SILENT (\\Deleted)")).toMatchObject({
      uid: true, unchangedSince: 12121230045, op: "add", silent: true, flags: ["\\Deleted"],
    });
    expect(p("s100 UID FETCH 1:* (FLAGS) (CHANGEDSINCE 12345)")).toMatchObject({ uid: true, changedSince: 12345, vanished: false });
    expect(p("s100 UID FETCH 300:500 (FLAGS) (CHANGEDSINCE 12345 VANISHED)")).toMatchObject({ changedSince: 12345, vanished: true });
    expect(() => p("s1 FETCH 1 (FLAGS) (CHANGEDSINCE 1 VANISHED)")).toThrow(/VANISHED needs UID FETCH/);
    expect(p('a SEARCH MODSEQ "/flags/\\\\draft" all 620162338')).toMatchObject({
      keys: [{ kind: "MODSEQ", modseq: 620162338, entry: { name: "/flags/\\draft", type: "all" } }],
    });
    expect(p("A160 SELECT INBOX (CONDSTORE)")).toMatchObject({ condstore: true });
    // the RFC's example modseq 90060115194045000 exceeds Number.MAX_SAFE_INTEGER: refused, not rounded
    expect(() => p("A02 SELECT INBOX (QRESYNC (67890007 90060115194045000 41:211,214:541))")).toThrow(/out of range/);
    expect(p("A02 SELECT INBOX (QRESYNC (67890007 9006011519404 41:211,214:541 (1:10 100:110)))")).toMatchObject({
      condstore: false,
      qresync: {
        uidValidity: 67890007, modseq: 9006011519404,
        knownUids: { kind: "set", ranges: [{ start: 41, end: 211 }, { start: 214, end: 541 }] },
        seqMatch: { seqs: { kind: "set", ranges: [{ start: 1, end: 10 }] }, uids: { kind: "set", ranges: [{ start: 100, end: 110 }] } },
      },
    });
  });
  test("ESEARCH, SEARCHRES", () => {
    expect(p('A282 SEARCH RETURN (MIN COUNT) FLAGGED SINCE 1-Feb-1994 NOT FROM "Smith"')).toMatchObject({ return: ["MIN", "COUNT"] });
    expect(p("A283 SEARCH RETURN () FLAGGED")).toMatchObject({ return: [] });
    expect(p("A282 SEARCH RETURN (SAVE) FLAGGED")).toMatchObject({ return: ["SAVE"] });
    expect(p("A283 FETCH $ (UID INTERNALDATE FLAGS RFC822.SIZE)")).toMatchObject({ set: { kind: "saved" } });
    expect(p("A284 UID SEARCH UID $ SMALLER 4096 OR OLDER 3600 YOUNGER 60")).toMatchObject({
      uid: true, keys: [{ kind: "UID", set: { kind: "saved" } }, { kind: "SMALLER", size: 4096 }, { kind: "OR", left: { kind: "OLDER", seconds: 3600 }, right: { kind: "YOUNGER", seconds: 60 } }],
    });
  });
  test("MULTIAPPEND, BINARY, literal8", () => {
    const m1 = "Subject: one\r\n\r\nbody\r\n";
    const m2 = "Subject: two\r\n\r\n\x00bin\r\n";
    expect(p(`A003 APPEND saved-messages (\\Seen) {${m1.length}+}\r\n${m1} (\\Flagged) " 7-Feb-1994 21:52:25 -0800" ~{${m2.length}+}\r\n${m2}`)).toEqual({
      tag: "A003", name: "APPEND", mailbox: "saved-messages",
      messages: [
        { flags: ["\\Seen"], data: Buffer.from(m1, "latin1"), binary: false },
        { flags: ["\\Flagged"], date: new Date("1994-02-08T05:52:25Z"), data: Buffer.from(m2, "latin1"), binary: true },
      ],
    });
    expect(p("a FETCH 1 (BINARY.PEEK[1.2]<0.100> BINARY[] BINARY.SIZE[1])")).toMatchObject({
      atts: [{ kind: "BINARY[]", peek: true, part: [1, 2], partial: { offset: 0, length: 100 } }, { kind: "BINARY[]", peek: false, part: [] }, { kind: "BINARY.SIZE", part: [1] }],
    });
    expect(p("a APPEND INBOX UTF8 (~{2}\r\nhi)")).toMatchObject({ messages: [{ data: Buffer.from("hi") }] });
  });
  test("CATENATE (RFC 4469 example 1), mixed with a plain message, a TEXT literal8", () => {
    const b = "\r\n--------------030308070208000400050907\r\n";
    const url = (rest: string) => `URL "/Drafts;UIDVALIDITY=385759045/;UID=${rest}"`;
    expect(p(`A003 APPEND Drafts (\\Seen \\Draft $MDNSent) CATENATE (${url("20/;section=HEADER")} TEXT {42}\r\n${b} ${url("20/;section=1.MIME")}`
      + ` ${url("20/;section=1")} TEXT {42}\r\n${b} ${url("30")} TEXT {44}\r\n\r\n--------------030308070208000400050907--\r\n)`)).toEqual({
      tag: "A003", name: "APPEND", mailbox: "Drafts",
      messages: [{
        flags: ["\\Seen", "\\Draft", "$MDNSent"],
        catenate: [
          { kind: "URL", url: "/Drafts;UIDVALIDITY=385759045/;UID=20/;section=HEADER" },
          { kind: "TEXT", data: Buffer.from(b), binary: false },
          { kind: "URL", url: "/Drafts;UIDVALIDITY=385759045/;UID=20/;section=1.MIME" },
          { kind: "URL", url: "/Drafts;UIDVALIDITY=385759045/;UID=20/;section=1" },
          { kind: "TEXT", data: Buffer.from(b), binary: false },
          { kind: "URL", url: "/Drafts;UIDVALIDITY=385759045/;UID=30" },
          { kind: "TEXT", data: Buffer.from("\r\n--------------030308070208000400050907--\r\n"), binary: false },
        ],
      }],
    });
    expect(p("a APPEND INBOX catenate (text ~{2+}\r\nhi url ;UID=1) {1}\r\nx")).toMatchObject({
      messages: [{ catenate: [{ kind: "TEXT", data: Buffer.from("hi"), binary: true }, { kind: "URL", url: ";UID=1" }] }, { data: Buffer.from("x") }],
    });
    expect(() => p("a APPEND INBOX CATENATE ()")).toThrow(ParseError);
    expect(() => p('a APPEND INBOX CATENATE (TEXT "quoted")')).toThrow(ParseError);
  });
  test("SORT and THREAD", () => {
    expect(p("A283 SORT (SUBJECT REVERSE DATE) UTF-8 ALL")).toEqual({
      tag: "A283", name: "SORT", uid: false, charset: "UTF-8", keys: [{ kind: "ALL" }],
      criteria: [{ key: "SUBJECT", reverse: false }, { key: "DATE", reverse: true }],
    });
    expect(p("A284 UID SORT RETURN (COUNT) (ARRIVAL) US-ASCII SEEN")).toMatchObject({ uid: true, return: ["COUNT"] });
    expect(p("A283 THREAD ORDEREDSUBJECT UTF-8 SINCE 5-MAR-2000")).toMatchObject({
      name: "THREAD", algorithm: "ORDEREDSUBJECT", charset: "UTF-8", keys: [{ kind: "SINCE", date: new Date(Date.UTC(2000, 2, 5)) }],
    });
    expect(() => p("A1 THREAD BOGUS UTF-8 ALL")).toThrow(/Unknown THREAD algorithm BOGUS/);
  });
});
