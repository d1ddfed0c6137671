// SEARCH address, date and NEW/OLD keys over real MH mail and a real socket, on the message
// shapes of imaptest's search-addresses and search-date (where we failed), with imaptest's
// expected answers, and compared with Dovecot's answers on the same messages where RFC 3501
// leaves room (what the address text looks like, which Date field counts).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RawClient } from "./harness.js";
import { compareWithDovecot, msg, open, searchLine } from "./search-oracle.js";

// imaptest's search-addresses messages
const ADDRESSES = [
  "From: user-from@domain.org\nTo: user-to@domain.org\nCc: user-cc@domain.org\nBcc: user-bcc@domain.org\n\nbody\n",
  "From: RealFrom <user-from@domain.org>\nTo: RealTo <user-to@domain.org>\nCc: RealCc <user-cc@domain.org>\nBcc: RealBcc <user-bcc@domain.org>\n\nbody2\n",
  "From: <user-from (comment)@ (comment) domain.org>\nTo: <user-to@domain.org>\nCc: <user-cc@domain.org>\nBcc: <user-bcc@domain.org>\n\nbody3\n",
  "From: user-from@domain.org (RealFrom)\nTo: user-to@domain.org (RealTo)\nCc: user-cc@domain.org (RealCc)\nBcc: user-bcc@domain.org (RealBcc)\n\nbody4\n",
  "From: user-from1@domain.org, user-from2@domain.org\nCc: user-cc@domain.org\n\nbody5\n",
  "From: RealFrom <user-from@domain.org>\nTo: groupname: groupuser1@domain.org, groupuser2@domain.org;,\n  groupname2: groupuser3@domain.org;\n\nbody6\n",
  "From: RealFrom <user-from@domain.org>\nTo: groupname:;\n\nbody7\n",
].map((t) => msg(t));

// the Date fields of imaptest's search-date: both changes of Finnish summer time in 2007
const SENT = [
  "Sat, 24 Mar 2007 23:00:00 +0200", "Sun, 25 Mar 2007 00:00:00 +0200", "Sun, 25 Mar 2007 01:00:00 +0200",
  "Sun, 25 Mar 2007 02:00:00 +0200", "Sun, 25 Mar 2007 04:00:00 +0300", "Sun, 25 Mar 2007 23:00:00 +0300",
  "Mon, 26 Mar 2007 00:00:00 +0300", "Sat, 27 Oct 2007 03:00:00 +0300", "Sun, 28 Oct 2007 00:00:00 +0300",
  "Sun, 28 Oct 2007 01:00:00 +0300", "Sun, 28 Oct 2007 02:00:00 +0300", "Sun, 28 Oct 2007 03:00:00 +0300",
  "Sun, 28 Oct 2007 03:00:00 +0200", "Sun, 28 Oct 2007 04:00:00 +0200", "Sun, 28 Oct 2007 23:00:00 +0200",
  "Mon, 29 Oct 2007 00:00:00 +0200",
].map((d) => msg(`Date: ${d}\n\nbody\n`));

describe("SEARCH FROM/TO/CC/BCC look in the addresses, not the header's raw text", () => {
  let s: Awaited<ReturnType<typeof open>>;
  beforeAll(async () => { s = await open(ADDRESSES); });
  afterAll(async () => { await s.close(); });

  // imaptest's expectations (tests/search-addresses)
  const EXPECTED: Array<[string, string]> = [
    ["FROM user-from@domain.org", "1 2 3 4 6 7"], ["TO user-to@domain.org", "1 2 3 4"],
    ["CC user-cc@domain.org", "1 2 3 4 5"], ["BCC user-bcc@domain.org", "1 2 3 4"],
    ["FROM realfrom", "2 4 6 7"], ["TO realto", "2 4"], ["CC realcc", "2 4"], ["BCC realbcc", "2 4"],
    ['HEADER FROM ""', "1 2 3 4 5 6 7"], ['HEADER TO ""', "1 2 3 4 6 7"],
    ['HEADER CC ""', "1 2 3 4 5"], ['HEADER BCC ""', "1 2 3 4"],
    ["FROM ser-fro", "1 2 3 4 5 6 7"], ["TO ser-t", "1 2 3 4"], ["CC ser-c", "1 2 3 4 5"], ["BCC ser-bc", "1 2 3 4"],
    ["FROM ealfro", "2 4 6 7"], ["TO ealt", "2 4"], ["CC ealc", "2 4"], ["BCC ealbc", "2 4"],
    ["FROM user-from1", "5"], ["FROM user-from2", "5"],
    ["TO groupname", "6 7"], ["TO groupname2", "6"], ["TO groupuser1", "6"], ["TO groupuser2", "6"],
    ["TO groupuser3", "6"], ["TO groupuser4", ""],
  ];
  for (const [key, want] of EXPECTED) {
    it(`SEARCH ${key} → ${want || "nothing"}`, async () => {
      expect(await searchLine(s.c, `SEARCH ${key}`)).toBe(want ? `* SEARCH ${want}` : "* SEARCH");
    });
  }

  it("an address with comments inside the addr-spec is found by the address itself", async () => {
    // message 3: <user-from (comment)@ (comment) domain.org>; the comments are no part of it
    expect(await searchLine(s.c, 'SEARCH FROM "user-from@domain.org" NOT BODY body2')).toBe("* SEARCH 1 3 4 6 7");
    expect(await searchLine(s.c, "SEARCH FROM comment")).toBe("* SEARCH");
    // HEADER still looks at the raw text
    expect(await searchLine(s.c, "SEARCH HEADER FROM comment")).toBe("* SEARCH 3");
  });

  it("answers as Dovecot does on odd address fields", async () => {
    const odd = [
      ...ADDRESSES,
      msg("From: foo\nTo: undisclosed recipients\nCc: \"Doe, J\" <j@x.org>, (only comment)\nBcc: =?utf-8?q?J=C3=B6rg?= <jorg@x.org>\n\n\n"),
      msg("From: a@b (a comment here) (second)\nTo: \"quoted \\\" name\" <q@r>, O'Brien <ob@x>\nCc: <@route.example:r@s>\n\n\n"),
      msg("From: =?iso-8859-1?q?Andr=E9?= Pirard <PIRARD@vm1.ulg.ac.be>\nTo: Group: =?utf-8?b?w6ljb2xl?= <e@x>;\n\n\n"),
      msg("From: \"J. Smith\" <j.smith@example.com>,\n\t\"Smith, Jane\" <jane@example.com>\nTo: <>\n\n\n"),
    ];
    await compareWithDovecot(odd, [
      "SEARCH FROM foo", "SEARCH FROM MISSING_DOMAIN", "SEARCH FROM \"foo@\"", "SEARCH FROM \"<foo\"",
      "SEARCH TO undisclosed", "SEARCH TO \"recipients <\"", "SEARCH CC \"Doe, J\"", "SEARCH CC \"\\\"Doe\"",
      "SEARCH CC \"only comment\"", "SEARCH CHARSET UTF-8 BCC \"jörg <\"", "SEARCH BCC \"=?utf-8\"",
      "SEARCH FROM comment", "SEARCH FROM second", "SEARCH FROM \"<a@b>\"", "SEARCH FROM \"user-from@domain.org>\"",
      "SEARCH TO \"groupname: <groupuser1\"", "SEARCH TO \"org>;, groupname2\"", "SEARCH TO \"groupname:;\"",
      "SEARCH TO \"\\\"quoted \\\\\\\" name\\\" <q@r>\"", "SEARCH TO \"O'Brien <\"", "SEARCH CC \"<@route.example:r@s>\"",
      "SEARCH CHARSET UTF-8 FROM \"André Pirard <pirard@\"", "SEARCH CHARSET UTF-8 TO \"group: école <e@x>;\"",
      "SEARCH FROM \"smith, jane\"", "SEARCH FROM \"j. smith <\"", "SEARCH TO MISSING_MAILBOX", "SEARCH TO \"<>\"",
      "SEARCH HEADER FROM comment", "SEARCH HEADER CC \"<@route\"", "SEARCH HEADER TO \"MISSING\"",
    ]);
  });
});

describe("SENTBEFORE/SENTON/SENTSINCE use the Date field's own day, in its own zone", () => {
  let s: Awaited<ReturnType<typeof open>>;
  beforeAll(async () => { s = await open(SENT); });
  afterAll(async () => { await s.close(); });

  // imaptest's expectations (tests/search-date)
  const EXPECTED: Array<[string, string]> = [
    ["SENTBEFORE 24-mar-2007", ""], ["SENTBEFORE 25-mar-2007", "1"], ["SENTBEFORE 26-mar-2007", "1 2 3 4 5 6"],
    ["SENTBEFORE 27-mar-2007", "1 2 3 4 5 6 7"],
    ["SENTON 23-mar-2007", ""], ["SENTON 24-mar-2007", "1"], ["SENTON 25-mar-2007", "2 3 4 5 6"], ["SENTON 26-mar-2007", "7"],
    ["1:7 SENTSINCE 24-mar-2007", "1 2 3 4 5 6 7"], ["1:7 SENTSINCE 25-mar-2007", "2 3 4 5 6 7"],
    ["1:7 SENTSINCE 26-mar-2007", "7"], ["1:7 SENTSINCE 27-mar-2007", ""],
    ["8:* SENTBEFORE 27-oct-2007", ""], ["8:* SENTBEFORE 28-oct-2007", "8"],
    ["8:* SENTBEFORE 29-oct-2007", "8 9 10 11 12 13 14 15"], ["8:* SENTBEFORE 30-oct-2007", "8 9 10 11 12 13 14 15 16"],
    ["8:* SENTON 26-oct-2007", ""], ["8:* SENTON 27-oct-2007", "8"], ["8:* SENTON 28-oct-2007", "9 10 11 12 13 14 15"],
    ["8:* SENTON 29-oct-2007", "16"],
    ["8:* SENTSINCE 27-oct-2007", "8 9 10 11 12 13 14 15 16"], ["8:* SENTSINCE 28-oct-2007", "9 10 11 12 13 14 15 16"],
    ["8:* SENTSINCE 29-oct-2007", "16"], ["8:* SENTSINCE 30-oct-2007", ""],
    ["1:7 NOT SENTBEFORE 26-mar-2007", "7"], ["1:7 NOT SENTON 25-mar-2007", "1 7"],
    ["8:* NOT SENTSINCE 28-oct-2007", "8"], ["8:* NOT SENTON 28-oct-2007", "8 16"],
  ];
  for (const [key, want] of EXPECTED) {
    it(`SEARCH ${key} → ${want || "nothing"}`, async () => {
      expect(await searchLine(s.c, `SEARCH ${key}`)).toBe(want ? `* SEARCH ${want}` : "* SEARCH");
    });
  }

  it("answers as Dovecot does on zones far from UTC, obsolete forms and a second Date field", async () => {
    const odd = [
      ...SENT,
      msg("Date: Sun, 25 Mar 2007 01:00:00 -1200\n\n\n"),
      msg("Date: Sat, 24 Mar 2007 23:30:00 -1100\n\n\n"),
      msg("Date: 25 Mar 2007 01:00 EST\n\n\n"),
      msg("Date: Sun, 25 Mar 07 23:30:00 +1400\n\n\n"),
      msg("Date: Sat, 24 Mar 2007 23:00:00 +0200 (EET)\n\n\n"),
      // Dovecot's SEARCH takes the first Date field
      msg("Date: Sat, 24 Mar 2007 23:00:00 +0200\nDate: Mon, 26 Mar 2007 10:00:00 +0000\n\ntwo dates\n"),
    ];
    await compareWithDovecot(odd, ["23-Mar-2007", "24-Mar-2007", "25-Mar-2007", "26-Mar-2007", "27-Mar-2007"].flatMap((d) => [
      `SEARCH SENTBEFORE ${d}`, `SEARCH SENTON ${d}`, `SEARCH SENTSINCE ${d}`, `SEARCH NOT SENTON ${d}`,
    ]));
  });

  it("a message without a usable Date field is sent on no day (Dovecot takes it as 1-Jan-1970)", async () => {
    // RFC 3501: "Messages whose [RFC-2822] Date: header ... is earlier": none is, without one
    const t = await open([msg("Date: Sat, 24 Mar 2007 23:00:00 +0200\n\n\n"), msg("Subject: no date\n\n\n"), msg("Date: garbage\n\n\n")]);
    try {
      expect(await searchLine(t.c, "SEARCH SENTBEFORE 1-Jan-1971")).toBe("* SEARCH");
      expect(await searchLine(t.c, "SEARCH SENTON 1-Jan-1970")).toBe("* SEARCH");
      expect(await searchLine(t.c, "SEARCH SENTSINCE 1-Jan-1970")).toBe("* SEARCH 1");
      expect(await searchLine(t.c, "SEARCH NOT SENTSINCE 1-Jan-1970")).toBe("* SEARCH 2 3");
    } finally {
      await t.close();
    }
  });
});

describe("BEFORE/ON/SINCE use INTERNALDATE's day as FETCH shows it (+0000)", () => {
  it("around midnight UTC, whatever the server's local zone", async () => {
    const at = (iso: string) => msg("Subject: x\n\nbody\n", Date.parse(iso) / 1000);
    const tz = process.env.TZ;
    // a zone where 23:30 UTC is already the next day: the local zone must not count
    process.env.TZ = "Europe/Helsinki";
    const s = await open([at("2007-03-24T23:30:00Z"), at("2007-03-25T00:30:00Z"), at("2007-03-25T23:59:59Z"), at("2007-03-26T00:00:00Z")]);
    try {
      const dates = await s.c.cmd("FETCH 1:* INTERNALDATE");
      expect(dates.untagged.map((l) => /INTERNALDATE "([^"]*)"/.exec(l)?.[1])).toEqual([
        "24-Mar-2007 23:30:00 +0000", "25-Mar-2007 00:30:00 +0000", "25-Mar-2007 23:59:59 +0000", "26-Mar-2007 00:00:00 +0000",
      ]);
      expect(await searchLine(s.c, "SEARCH BEFORE 25-Mar-2007")).toBe("* SEARCH 1");
      expect(await searchLine(s.c, "SEARCH ON 25-Mar-2007")).toBe("* SEARCH 2 3");
      expect(await searchLine(s.c, "SEARCH SINCE 25-Mar-2007")).toBe("* SEARCH 2 3 4");
      expect(await searchLine(s.c, "SEARCH SINCE 26-Mar-2007")).toBe("* SEARCH 4");
      expect(await searchLine(s.c, "SEARCH NOT ON 25-Mar-2007")).toBe("* SEARCH 1 4");
    } finally {
      await s.close();
      if (tz === undefined) delete process.env.TZ;
      else process.env.TZ = tz;
    }
  });
});

describe("NEW is RECENT UNSEEN, OLD is NOT RECENT (RFC 3501 §6.4.4)", () => {
  it("on messages this session holds as \\Recent, after imaptest's search-flags stores", async () => {
    // two old messages (seen: MH has them in no unseen sequence); five more arrive while the
    // session has INBOX selected: the session that learns of them first holds them as \Recent
    const s = await open([msg("Subject: old 1\n\nold\n"), msg("Subject: old 2\n\nold\n")]);
    const other = await RawClient.connect(s.srv.port);
    try {
      expect((await s.c.cmd("STORE 1 -FLAGS (\\Seen)")).tagged).toMatch(/OK/);
      for (let i = 1; i <= 5; i++) {
        const m = `Subject: new ${i}\r\n\r\nnew\r\n`;
        other.write(`A${i} APPEND INBOX {${m.length}+}\r\n${m}\r\n`);
        expect((await other.reply(`A${i}`)).tagged).toMatch(/OK/);
      }
      const noop = await s.c.cmd("NOOP");
      expect(noop.untagged).toContain("* 7 EXISTS");
      expect(noop.untagged).toContain("* 5 RECENT");
      // imaptest's stores on the new messages (3..7 here, 1..5 there)
      for (const [n, f] of [[3, "$$hello"], [4, "\\Seen \\Flagged"], [5, "\\Answered $$hello"], [6, "\\Flagged \\Draft"], [7, "\\Deleted \\Answered"]]) {
        expect((await s.c.cmd(`STORE ${n} FLAGS (${f})`)).tagged).toMatch(/OK/);
      }
      expect(await searchLine(s.c, "SEARCH RECENT")).toBe("* SEARCH 3 4 5 6 7");
      expect(await searchLine(s.c, "SEARCH NEW")).toBe("* SEARCH 3 5 6 7");
      expect(await searchLine(s.c, "SEARCH OLD")).toBe("* SEARCH 1 2");
      // OLD is not NOT NEW: a recent message that is seen is neither NEW nor OLD
      expect(await searchLine(s.c, "SEARCH NOT NEW")).toBe("* SEARCH 1 2 4");
      expect(await searchLine(s.c, "SEARCH NOT OLD")).toBe("* SEARCH 3 4 5 6 7");
      expect(await searchLine(s.c, "SEARCH UNSEEN NOT RECENT")).toBe("* SEARCH 1");
      expect(await searchLine(s.c, "SEARCH OR NEW OLD")).toBe("* SEARCH 1 2 3 5 6 7");
      // the other session holds none of them as \Recent
      expect((await other.cmd("SELECT INBOX")).untagged).toContain("* 0 RECENT");
      const theirs = await other.cmd("SEARCH NEW");
      expect(theirs.untagged).toContain("* SEARCH");
      const old = await other.cmd("SEARCH OLD");
      expect(old.untagged).toContain("* SEARCH 1 2 3 4 5 6 7");
    } finally {
      other.close();
      await s.close();
    }
  });
});

describe("SUBJECT looks in the field with its runs of white space made one space, as Dovecot", () => {
  it("answers as Dovecot does", async () => {
    const subjects = [
      msg("Subject: two  spaces\n\n\n"), msg("Subject: a tab\there\n\n\n"), msg("Subject: folded\n   \t line\n\n\n"),
      msg("Subject: =?utf-8?q?encoded?=   words\n\n\n"), msg("Subject:    leading and trailing   \n\n\n"),
      msg("Subject: one space\n\n\n"), msg("Subject: Grüße aus Łódź\n\n\n"),
    ];
    await compareWithDovecot(subjects, [
      'SEARCH SUBJECT "two spaces"', 'SEARCH SUBJECT "two  spaces"', 'SEARCH SUBJECT "a tab here"',
      'SEARCH SUBJECT "folded line"', 'SEARCH SUBJECT "encoded words"', 'SEARCH SUBJECT "trailing "',
      'SEARCH SUBJECT " leading"', 'SEARCH SUBJECT "one space"', 'SEARCH HEADER SUBJECT "two  spaces"',
      'SEARCH HEADER SUBJECT "two spaces"', 'SEARCH HEADER SUBJECT "trailing   "', 'SEARCH HEADER SUBJECT "  leading"', 'SEARCH HEADER SUBJECT "   leading"',
      'SEARCH CHARSET UTF-8 SUBJECT "grüße"', 'SEARCH CHARSET UTF-8 SUBJECT "łódź"', 'SEARCH CHARSET UTF-8 HEADER SUBJECT "ÜSSE AUS Ł"',
      'SEARCH CHARSET UTF-8 TEXT "aus łódź"',
    ]);
  });

  it("finds words in a subject written in raw UTF-8", async () => {
    // decoding turned each raw "ü" or "ł" into U+FFFD, so such subjects were never found
    const t = await open([msg("Subject: Grüße aus Łódź\n\nbody\n"), msg("Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\n\nbody\n")]);
    try {
      expect(await searchLine(t.c, 'SEARCH CHARSET UTF-8 SUBJECT "grüße"')).toBe("* SEARCH 1 2");
      expect(await searchLine(t.c, 'SEARCH CHARSET UTF-8 SUBJECT "łódź"')).toBe("* SEARCH 1");
      expect(await searchLine(t.c, 'SEARCH CHARSET UTF-8 TEXT "aus łódź"')).toBe("* SEARCH 1");
    } finally {
      await t.close();
    }
  });
});
