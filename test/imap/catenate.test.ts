// CATENATE (RFC 4469) through the real engine on a real MH tree: the RFC's examples, URL parts
// giving exactly FETCH BODY[section]<partial>'s bytes, every way a URL can fail (NO [BADURL],
// nothing stored, the connection still usable), TRYCREATE before BADURL, TOOBIG, OVERQUOTA,
// MULTIAPPEND mixing plain and CATENATE messages all or nothing, and a literal8 TEXT part.
import { afterEach, describe, expect, it } from "vitest";
import { makeMail, RawClient, startServer, type Running } from "./harness.js";
import { useServer } from "./setup.js";

const t = useServer();

/** The tag-less text of the tagged line. */
const status = (tagged: string): string => tagged.replace(/^\S+ /, "");
const uidOf = (tagged: string): number => Number(/APPENDUID \d+ (\d+)/.exec(tagged)![1]);

/** The literal of a one-message FETCH answer (latin1). */
function literalOf(line: string): string {
  const m = /\{(\d+)\}\r\n/.exec(line);
  if (!m) return line.includes(" NIL") ? "NIL" : "";
  const start = m.index + m[0].length;
  return line.slice(start, start + Number(m[1]));
}

/** BODY.PEEK[section]<partial> of a message, fetched as a client would (EXAMINE, UID FETCH). */
async function body(c: RawClient, mailbox: string, uid: number, section = "", partial = ""): Promise<string> {
  expect((await c.cmd(`EXAMINE "${mailbox}"`)).tagged).toMatch(/ OK /);
  const r = await c.cmd(`UID FETCH ${uid} (BODY.PEEK[${section}]${partial})`);
  expect(r.tagged).toMatch(/ OK /);
  const line = r.untagged.find((l) => / FETCH /.test(l));
  return line === undefined ? "" : literalOf(line);
}

async function messages(c: RawClient, mailbox: string): Promise<number> {
  const r = await c.cmd(`STATUS "${mailbox}" (MESSAGES)`);
  return Number(/MESSAGES (\d+)/.exec(r.untagged[0])![1]);
}

async function uidValidity(c: RawClient, mailbox: string): Promise<number> {
  const r = await c.cmd(`STATUS "${mailbox}" (UIDVALIDITY)`);
  return Number(/UIDVALIDITY (\d+)/.exec(r.untagged[0])![1]);
}

/** A LITERAL+ literal of ASCII text (RawClient.cmd sends its text as UTF-8) */
const lit = (s: string): string => `{${Buffer.byteLength(s)}+}\r\n${s}`;

async function appendPlain(c: RawClient, mailbox: string, msg: string): Promise<number> {
  const r = await c.cmd(`APPEND "${mailbox}" ${lit(msg)}`);
  expect(r.tagged).toMatch(/ OK \[APPENDUID/);
  return uidOf(r.tagged);
}


const BOUNDARY = "------------030308070208000400050907";
const DRAFT = [
  "From: Bob Ar <bar@example.org>", "To: foo@example.net", "Subject: About our holiday trip", "MIME-Version: 1.0",
  "Content-Type: multipart/mixed;", `              boundary="${BOUNDARY}"`, "",
  `--${BOUNDARY}`, "Content-Type: text/plain; charset=us-ascii; format=flowed", "Content-Transfer-Encoding: 7bit", "",
  "Our travel agent has sent the schedule.", "", "Cheers,", "Bob",
  `--${BOUNDARY}`, 'Content-Type: application/x-zip-compressed; name="trip.zip"', "Content-Transfer-Encoding: base64", "",
  "UEsDBBQAAAAIAJtTbDEAAAAAAAAAAAAAAAAIAAAAdHJpcC50eHQ=",
  `--${BOUNDARY}--`, "",
].join("\r\n");
const ATTACHED = "From: agent@example.com\r\nSubject: schedule\r\n\r\nDepart at nine.\r\n";

describe("RFC 4469's examples", () => {
  async function drafts(): Promise<{ v: number; draft: number; other: number }> {
    // the fixture mail has a Drafts folder (\Drafts)
    const draft = await appendPlain(t.c, "Drafts", DRAFT);
    const other = await appendPlain(t.c, "Drafts", ATTACHED);
    return { v: await uidValidity(t.c, "Drafts"), draft, other };
  }
  const sep = `\r\n--${BOUNDARY}\r\n`;
  const end = `\r\n--${BOUNDARY}--\r\n`;

  it("example 1: an attachment replaced by another message, without downloading it", async () => {
    const { v, draft, other } = await drafts();
    const url = (rest: string): string => `URL "/Drafts;UIDVALIDITY=${v}/;UID=${rest}"`;
    const r = await t.c.cmd(`APPEND Drafts (\\Seen \\Draft $MDNSent) CATENATE (${url(`${draft}/;section=HEADER`)} TEXT ${lit(sep)}`
      + ` ${url(`${draft}/;section=1.MIME`)} ${url(`${draft}/;section=1`)} TEXT ${lit(sep)} ${url(String(other))} TEXT ${lit(end)})`);
    expect(r.tagged).toMatch(/ OK \[APPENDUID \d+ \d+\]/);
    const made = await body(t.c, "Drafts", uidOf(r.tagged));
    const want = (await body(t.c, "Drafts", draft, "HEADER")) + sep + (await body(t.c, "Drafts", draft, "1.MIME"))
      + (await body(t.c, "Drafts", draft, "1")) + sep + ATTACHED + end;
    expect(made).toBe(want);
    // it is a message like any other: its second part is the attached message
    expect(await body(t.c, "Drafts", uidOf(r.tagged), "2")).toBe("Depart at nine.\r\n");
    const f = await t.c.cmd(`UID FETCH ${uidOf(r.tagged)} (FLAGS)`);
    expect(f.untagged.join()).toMatch(/\\Seen/);
  });

  it("example 2: edited text and headers, the attachment kept by URL; APPENDUID; the old draft marked \\Deleted", async () => {
    const { v, draft } = await drafts();
    const text = DRAFT.slice(0, DRAFT.indexOf("Our travel")).replace("About our", "About our revised") + "The new schedule is attached.\r\n";
    const r = await t.c.cmd(`APPEND Drafts (\\Seen \\Draft $MDNSent) CATENATE (TEXT ${lit(text + `--${BOUNDARY}\r\n`)}`
      + ` URL "/Drafts;UIDVALIDITY=${v}/;UID=${draft}/;Section=2.MIME" URL "/Drafts;UIDVALIDITY=${v}/;UID=${draft}/;Section=2" TEXT ${lit(end)})`);
    expect(r.tagged).toMatch(new RegExp(` OK \\[APPENDUID ${v} \\d+\\]`));
    const made = await body(t.c, "Drafts", uidOf(r.tagged));
    expect(made).toBe(text + `--${BOUNDARY}\r\n` + (await body(t.c, "Drafts", draft, "2.MIME")) + (await body(t.c, "Drafts", draft, "2")) + end);
    expect((await t.c.cmd("SELECT Drafts")).tagged).toMatch(/ OK/);
    expect((await t.c.cmd(`UID STORE ${draft} +FLAGS.SILENT (\\Deleted)`)).tagged).toMatch(/ OK/);
  });

  it("example 3: an attachment stripped and replaced by a note", async () => {
    const { v, draft } = await drafts();
    const note = `${sep}Content-type: text/plain; charset="us-ascii"\r\nContent-transfer-encoding: 7bit\r\n\r\n`
      + `This body part contained a zip file that was\r\ndeleted upon your request.${end}`;
    const url = (rest: string): string => `URL "/Drafts;UIDVALIDITY=${v}/;UID=${draft}/;section=${rest}"`;
    const r = await t.c.cmd(`APPEND Drafts (\\Seen \\Draft $MDNSent) CATENATE (${url("HEADER")} TEXT ${lit(sep)} ${url("1.MIME")} ${url("1")} TEXT ${lit(note)})`);
    expect(r.tagged).toMatch(/ OK /);
    expect((await t.c.cmd("EXAMINE Drafts")).tagged).toMatch(/ OK/);
    const bs = await t.c.cmd(`UID FETCH ${uidOf(r.tagged)} (BODYSTRUCTURE)`);
    expect(bs.untagged.join()).toMatch(/\(\("text" "plain" .*\) \("text" "plain" .*\) "mixed"/i);
  });

  it("example 4: a URL naming no message fails the APPEND with BADURL naming it; nothing is stored", async () => {
    const { v, draft, other } = await drafts();
    const before = await messages(t.c, "Drafts");
    const bad = `/Drafts;UIDVALIDITY=${v}/;UID=${other + 1000}/;section=1.5.9`;
    const r = await t.c.cmd(`APPEND Drafts (\\Seen $MDNSent) CATENATE (TEXT ${lit(DRAFT.slice(0, DRAFT.indexOf(`--${BOUNDARY}`)) + `--${BOUNDARY}\r\n`)}`
      + ` URL "/Drafts;UIDVALIDITY=${v}/;UID=${draft}" TEXT ${lit(sep)} URL "${bad}" TEXT ${lit(sep)} URL "/Drafts;UIDVALIDITY=${v}/;UID=${other}" TEXT ${lit(end)})`);
    expect(status(r.tagged)).toBe(`NO [BADURL ${bad}] Message not found.`);
    expect(await messages(t.c, "Drafts")).toBe(before);
    expect((await t.c.cmd("NOOP")).tagged).toMatch(/ OK/);
  });
});

describe("a URL part is FETCH BODY[section]<partial>", () => {
  // every kind of section, on a message/rfc822 message and on multiparts of the fixture
  const SECTIONS = ["", "HEADER", "TEXT", "1", "1.MIME", "1.HEADER", "1.TEXT", "1.1", "1.2", "2", "2.MIME", "1.1.MIME",
    "HEADER.FIELDS (From Subject)", "HEADER.FIELDS.NOT (Received)", "1.HEADER.FIELDS (Subject)"];

  it("for every section of several messages, byte for byte", async () => {
    expect((await t.c.cmd("CREATE out")).tagged).toMatch(/ OK/);
    const uids = (await t.c.cmd("SELECT one")).tagged && (await t.c.cmd("UID SEARCH ALL")).untagged[0].split(" ").slice(2).map(Number);
    let checked = 0;
    for (const uid of uids) {
      for (const section of SECTIONS) {
        const want = await body(t.c, "one", uid, section);
        const url = `/one/;UID=${uid}` + (section ? `/;SECTION=${encodeURIComponent(section)}` : "");
        const r = await t.c.cmd(`APPEND out CATENATE (URL "${url}")`);
        if (want === "NIL") {
          expect(status(r.tagged)).toMatch(/^NO \[BADURL /);
          continue;
        }
        if (want === "") {
          expect(status(r.tagged)).toBe("NO Can't save an empty message.");
          continue;
        }
        expect(r.tagged, `${uid} ${section}`).toMatch(/ OK \[APPENDUID/);
        expect(await body(t.c, "out", uidOf(r.tagged)), `UID ${uid} BODY[${section}]`).toBe(want);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it("PARTIAL: a range, an offset to the end, a range past the end (nothing)", async () => {
    const uid = Number((await t.c.cmd("SELECT INBOX")).tagged && (await t.c.cmd("UID SEARCH ALL")).untagged[0].split(" ")[3]);
    const whole = await body(t.c, "INBOX", uid);
    const r1 = await t.c.cmd(`APPEND INBOX CATENATE (URL "/INBOX/;UID=${uid}/;PARTIAL=10.50")`);
    expect(await body(t.c, "INBOX", uidOf(r1.tagged))).toBe(whole.slice(10, 60));
    const r2 = await t.c.cmd(`APPEND INBOX CATENATE (URL "/INBOX/;UID=${uid}/;SECTION=TEXT/;PARTIAL=5")`);
    expect(await body(t.c, "INBOX", uidOf(r2.tagged))).toBe((await body(t.c, "INBOX", uid, "TEXT")).slice(5));
    const r3 = await t.c.cmd(`APPEND INBOX CATENATE (TEXT ${lit("X: y\r\n\r\n")} URL "/INBOX/;UID=${uid}/;PARTIAL=100000.1")`);
    expect(await body(t.c, "INBOX", uidOf(r3.tagged))).toBe("X: y\r\n\r\n");
  });

  it("a large part (read in streamed chunks) and synchronising literals, each waited for", async () => {
    const big = "Subject: big\r\n\r\n" + Array.from({ length: 6000 }, (_, i) => `line ${i} ${"x".repeat(60)}`).join("\r\n") + "\r\n";
    const uid = await appendPlain(t.c, "INBOX", big);
    const tag = t.c.nextTag();
    t.c.write(`${tag} APPEND INBOX CATENATE (TEXT {10}\r\n`);
    expect(await t.c.next()).toMatch(/^\+ /);
    t.c.write(`New: one\r\n URL "/INBOX/;UID=${uid}/;SECTION=TEXT/;PARTIAL=7.300000" TEXT {7}\r\n`);
    expect(await t.c.next()).toMatch(/^\+ /);
    t.c.write("\r\nend\r\n)\r\n");
    const r = await t.c.reply(tag);
    expect(r.tagged).toMatch(/ OK \[APPENDUID/);
    const text = big.slice(big.indexOf("\r\n\r\n") + 4);
    expect(text.length).toBeGreaterThan(300_007);
    expect(await body(t.c, "INBOX", uidOf(r.tagged))).toBe("New: one\r\n" + text.slice(7, 300_007) + "\r\nend\r\n");
  });

  it("a relative URL names the selected mailbox, and its UIDVALIDITY is the selected one's", async () => {
    const uid = Number((await t.c.cmd("SELECT INBOX")).tagged && (await t.c.cmd("UID SEARCH ALL")).untagged[0].split(" ")[2]);
    expect((await t.c.cmd("CREATE rel")).tagged).toMatch(/ OK/);
    const r = await t.c.cmd(`APPEND rel CATENATE (URL ";UID=${uid}/;SECTION=HEADER" TEXT ${lit("relative\r\n")})`);
    expect(r.tagged).toMatch(/ OK /);
    expect(await body(t.c, "rel", uidOf(r.tagged))).toBe((await body(t.c, "INBOX", uid, "HEADER")) + "relative\r\n");
    // out of the selected state there is no base mailbox
    expect((await t.c.cmd("UNSELECT")).tagged).toMatch(/ OK/);
    const r2 = await t.c.cmd(`APPEND rel CATENATE (URL ";UID=${uid}")`);
    expect(status(r2.tagged)).toBe(`NO [BADURL ;UID=${uid}] Mailbox-relative IMAP URL, but no mailbox selected.`);
  });

  it("names are URL-encoded UTF-8: a mailbox with a space and non-ASCII letters", async () => {
    expect((await t.c.cmd('CREATE "Caf&AOk- au lait"')).tagged).toMatch(/ OK/);
    const uid = await appendPlain(t.c, "Caf&AOk- au lait", "Subject: caf\r\n\r\nbody\r\n");
    const r = await t.c.cmd(`APPEND INBOX CATENATE (URL "/Caf%C3%A9%20au%20lait/;UID=${uid}")`);
    expect(r.tagged).toMatch(/ OK /);
    expect(await body(t.c, "INBOX", uidOf(r.tagged))).toBe("Subject: caf\r\n\r\nbody\r\n");
  });
});

describe("URLs that name nothing readable: NO [BADURL], nothing stored", () => {
  it("each such URL, alone and among good parts; the first bad URL is named", async () => {
    const uid = Number((await t.c.cmd("SELECT INBOX")).tagged && (await t.c.cmd("UID SEARCH ALL")).untagged[0].split(" ")[2]);
    const v = await uidValidity(t.c, "INBOX");
    const cases: Array<[string, string]> = [
      [`/INBOX;UIDVALIDITY=${v + 1}/;UID=${uid}`, "Invalid UIDVALIDITY"],
      [`/INBOX/;UID=999999`, "Message not found"],
      [`/nosuchbox/;UID=${uid}`, "Mailbox doesn't exist"],
      [`/INBOX/;UID=${uid}/;SECTION=9`, "Invalid section"],
      [`/INBOX/;UID=${uid}/;SECTION=BOGUS`, "Invalid section"],
      [`/INBOX/;UID=${uid};URLAUTH=anonymous:internal:0123456789abcdef0123456789abcdef`, "URLAUTH is not supported"],
      [`/INBOX/;UID=${uid};EXPIRE=2030-01-01T00:00:00Z;URLAUTH=user+tester:internal:01`, "URLAUTH is not supported"],
      [`imap://tester@localhost/INBOX/;UID=${uid}`, "Only relative IMAP URLs of this server and user are supported"],
      [`//other.example/INBOX/;UID=${uid}`, "Only relative IMAP URLs of this server and user are supported"],
      [`/INBOX/;UID=0`, "Invalid IMAP URL: not a message or message part URL"],
      [`/INBOX?SUBJECT%20x`, "Invalid IMAP URL: not a message or message part URL"],
      [`/%ZZ/;UID=${uid}`, "Invalid %-encoding in the mailbox name"],
      [`/1234/;UID=${uid}`, 'MH folders cannot be named only with digits: "1234"'],
      // never outside the mail root, %-encoded or not
      [`/../inbox/;UID=${uid}`, 'Invalid mailbox name: "../inbox"'],
      [`/one/%2E%2E/%2E%2E/inbox/;UID=${uid}`, 'Invalid mailbox name: "one/../../inbox"'],
      [`/%2Fetc/;UID=${uid}`, "Mailbox name may not begin or end with the hierarchy delimiter"],
    ];
    const before = await messages(t.c, "INBOX");
    for (const [url, why] of cases) {
      const alone = await t.c.cmd(`APPEND INBOX CATENATE (URL "${url}")`);
      expect(status(alone.tagged), url).toBe(`NO [BADURL ${url}] ${why}.`);
      const among = await t.c.cmd(`APPEND INBOX (\\Seen) CATENATE (TEXT ${lit("H: 1\r\n\r\n")} URL "/INBOX/;UID=${uid}/;SECTION=TEXT" URL "${url}" URL "/INBOX/;UID=999998" TEXT ${lit("end\r\n")})`);
      expect(status(among.tagged), url).toBe(`NO [BADURL ${url}] ${why}.`);
    }
    expect(await messages(t.c, "INBOX")).toBe(before);
    expect((await t.c.cmd("NOOP")).tagged).toMatch(/ OK/);
  });

  it("a URL with characters a response code cannot hold is named %-encoded", async () => {
    const r = await t.c.cmd(`APPEND INBOX CATENATE (URL "/a]b/;UID=1")`);
    expect(status(r.tagged)).toBe("NO [BADURL /a%5Db/;UID=1] Mailbox doesn't exist.");
    const r2 = await t.c.cmd(`APPEND INBOX CATENATE (URL ${lit("/café;UID=1")})`);
    expect(status(r2.tagged)).toMatch(/^NO \[BADURL \/caf%C3%A9;UID=1\] /);
  });

  it("a missing destination is TRYCREATE, whatever its URLs say (as imaptest's catenate checks)", async () => {
    const r = await t.c.cmd(`APPEND nosuch CATENATE (TEXT ${lit("a: 1\r\n\r\n")} URL "/INBOX;UIDVALIDITY=1/;UID=1/;SECTION=HEADER")`);
    expect(status(r.tagged)).toMatch(/^NO \[TRYCREATE\] /);
  });

  it("syntax errors are BAD, and the connection goes on", async () => {
    for (const bad of ["CATENATE ()", "CATENATE (URL)", "CATENATE (TEXT \"quoted\")", "CATENATE (FOO \"x\")", "CATENATE URL \"/INBOX/;UID=1\""]) {
      expect(status((await t.c.cmd(`APPEND INBOX ${bad}`)).tagged), bad).toMatch(/^BAD /);
    }
    expect((await t.c.cmd("NOOP")).tagged).toMatch(/ OK/);
  });
});

describe("MULTIAPPEND with CATENATE", () => {
  it("plain and CATENATE messages together, in order; one bad URL stores none of them", async () => {
    const uid = Number((await t.c.cmd("SELECT INBOX")).tagged && (await t.c.cmd("UID SEARCH ALL")).untagged[0].split(" ")[2]);
    expect((await t.c.cmd("CREATE multi")).tagged).toMatch(/ OK/);
    const plain = "New: Message\r\n\r\nbody4\r\n";
    const r = await t.c.cmd(`APPEND multi CATENATE (URL "/INBOX/;UID=${uid}/;SECTION=HEADER" TEXT ${lit("one\r\n")}) (\\Answered) ${lit(plain)} CATENATE (URL "/INBOX/;UID=${uid}")`);
    expect(r.tagged).toMatch(/ OK \[APPENDUID \d+ 1:3\]/);
    expect(await body(t.c, "multi", 1)).toBe((await body(t.c, "INBOX", uid, "HEADER")) + "one\r\n");
    expect(await body(t.c, "multi", 2)).toBe(plain);
    expect(await body(t.c, "multi", 3)).toBe(await body(t.c, "INBOX", uid));
    expect((await t.c.cmd("EXAMINE multi")).tagged).toMatch(/ OK/);
    const f = await t.c.cmd("UID FETCH 2 (FLAGS)");
    expect(f.untagged.join()).toMatch(/\\Answered/);
    const bad = await t.c.cmd(`APPEND multi ${lit(plain)} CATENATE (URL "/INBOX/;UID=${uid}") CATENATE (URL "/INBOX/;UID=999999") ${lit(plain)}`);
    expect(status(bad.tagged)).toBe("NO [BADURL /INBOX/;UID=999999] Message not found.");
    expect(await messages(t.c, "multi")).toBe(3);
  });
});

describe("limits", () => {
  // a server of its own, on its own copy of the mail
  let srv: Running | undefined;
  let mail: ReturnType<typeof makeMail> | undefined;
  afterEach(async () => {
    await srv?.close();
    mail?.cleanup();
    srv = mail = undefined;
  });

  it("a message put together over the APPEND limit is TOOBIG; URL parts count", async () => {
    mail = makeMail();
    srv = await startServer(mail.root, { maxMessageSize: 1000 });
    const c = await RawClient.connect(srv.port);
    try {
      const uid = await appendPlain(c, "INBOX", "Subject: big\r\n\r\n" + "x".repeat(900) + "\r\n");
      const before = await messages(c, "INBOX");
      const r = await c.cmd(`APPEND INBOX CATENATE (URL "/INBOX/;UID=${uid}" URL "/INBOX/;UID=${uid}")`);
      expect(status(r.tagged)).toBe("NO [TOOBIG] Message is larger than 1000 bytes.");
      const r2 = await c.cmd(`APPEND INBOX CATENATE (URL "/INBOX/;UID=${uid}" TEXT ${lit("y".repeat(200))})`);
      expect(status(r2.tagged)).toMatch(/^NO \[TOOBIG\]/);
      expect(await messages(c, "INBOX")).toBe(before);
      expect((await c.cmd(`APPEND INBOX CATENATE (URL "/INBOX/;UID=${uid}/;PARTIAL=0.500" TEXT ${lit("y".repeat(400))})`)).tagged).toMatch(/ OK /);
    } finally {
      c.close();
    }
  });

  it("the quota applies as to APPEND: OVERQUOTA, nothing stored", async () => {
    mail = makeMail();
    srv = await startServer(mail.root, {}, { quota: { messages: 0 } });
    const c = await RawClient.connect(srv.port);
    try {
      const uid = Number((await c.cmd("SELECT INBOX")).tagged && (await c.cmd("UID SEARCH ALL")).untagged[0].split(" ")[2]);
      const before = await messages(c, "INBOX");
      const r = await c.cmd(`APPEND INBOX CATENATE (URL "/INBOX/;UID=${uid}")`);
      expect(status(r.tagged)).toMatch(/^NO \[OVERQUOTA\] /);
      expect(await messages(c, "INBOX")).toBe(before);
    } finally {
      c.close();
    }
  });
});

describe("TEXT as a literal8 (BINARY)", () => {
  it("a first part in a literal8 makes the message binary: its binary part is stored as base64", async () => {
    const head = "Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\n\r\n";
    const data = Buffer.concat([Buffer.from(head), Buffer.from([0, 1, 2, 0x0a, 0xff])]);
    const r = await t.c.cmd(Buffer.concat([Buffer.from(`APPEND INBOX CATENATE (TEXT ~{${data.length}+}\r\n`), data, Buffer.from(` TEXT {2+}\r\n\r\n)`)]));
    expect(r.tagged).toMatch(/ OK /);
    expect((await t.c.cmd("EXAMINE INBOX")).tagged).toMatch(/ OK/);
    const bin = await t.c.cmd(`UID FETCH ${uidOf(r.tagged)} (BINARY.PEEK[1] BODY.PEEK[1])`);
    // BODY[1] is base64 (as Dovecot stores a binary part), BINARY[1] the bytes sent
    expect(bin.untagged.join()).toMatch(/BODY\[1\] \{\d+\}\r\nAAEC/);
    expect(bin.untagged.join()).toContain(Buffer.from([0, 1, 2, 0x0a, 0xff, 0x0d, 0x0a]).toString("latin1"));
  });

  it("a literal8 after a first part that is none: UNKNOWN-CTE, as Dovecot", async () => {
    const r = await t.c.cmd(`APPEND INBOX CATENATE (TEXT {8+}\r\nA: b\r\n\r\n TEXT ~{3+}\r\nx\x00y)`);
    expect(status(r.tagged)).toBe("NO [UNKNOWN-CTE] Binary input allowed only when the first part is binary.");
    expect((await t.c.cmd("NOOP")).tagged).toMatch(/ OK/);
  });
});
