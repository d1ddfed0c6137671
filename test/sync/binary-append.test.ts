// BINARY (RFC 3516), MULTIAPPEND (RFC 3502, all or nothing), APPENDLIMIT (RFC 7889) and
// STATUS=SIZE through a real socket on the fixture mail.
import { afterEach, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { makeMail, RawClient, startServer, type Running } from "../imap/harness.js";
import { useServer } from "../imap/setup.js";

const t = useServer();

const MULTI =
  "From: a@b.example\r\nSubject: parts\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\n" +
  "--XX\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\naGVsbG8AIHdvcmxk\r\n" +
  "--XX\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\ncaf=C3=A9 =\r\nend\r\n" +
  "--XX\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: x-weird\r\n\r\nzzz\r\n--XX--\r\n";
const BIN = Buffer.concat([
  Buffer.from("From: a@b.example\r\nSubject: bin\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\n\r\n"),
  Buffer.from([0, 1, 2, 0xff, 0x0d, 0x0a]),
]);

async function appendOne(c: RawClient, data: Buffer | string, binary = false): Promise<number> {
  const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data, "latin1");
  const r = await c.cmd(Buffer.concat([Buffer.from(`APPEND INBOX ${binary ? "~" : ""}{${bytes.length}+}\r\n`), bytes]));
  const m = /APPENDUID \d+ (\d+)/.exec(r.tagged);
  if (!m) throw new Error(r.tagged);
  return Number(m[1]);
}

describe("BINARY", () => {
  it("decodes base64 and quoted-printable parts; BINARY.SIZE; partial; literal8 only with NUL", async () => {
    const uid = await appendOne(t.c, MULTI);
    await t.c.cmd("SELECT INBOX");
    const r = await t.c.cmd(`UID FETCH ${uid} (BINARY.SIZE[1] BINARY.PEEK[1] BINARY.PEEK[2] BINARY.PEEK[1]<2.3> BINARY.SIZE[2])`);
    // base64 "aGVsbG8AIHdvcmxk" is "hello\0 world" (12 bytes, with NUL: a literal8); the
    // quoted-printable part is "café end" in UTF-8 (9 bytes; the soft line break is gone)
    const cafe = Buffer.from("café end", "utf8").toString("latin1");
    expect(r.untagged).toEqual([
      `* 9 FETCH (UID ${uid} BINARY.SIZE[1] 12 BINARY[1] ~{12}\r\nhello\0 world BINARY[2] {9}\r\n${cafe} ` +
        "BINARY[1]<2> {3}\r\nllo BINARY.SIZE[2] 9)",
    ]);
    // PEEK left \Seen alone; BINARY[] without PEEK sets it
    expect((await t.c.cmd(`UID FETCH ${uid} (FLAGS)`)).untagged[0]).not.toContain("\\Seen");
    const seen = await t.c.cmd(`UID FETCH ${uid} (BINARY[1])`);
    expect(seen.untagged[0]).toContain("\\Seen");
  });

  it("an unknown Content-Transfer-Encoding is NO [UNKNOWN-CTE]", async () => {
    const uid = await appendOne(t.c, MULTI);
    await t.c.cmd("SELECT INBOX");
    const r = await t.c.cmd(`UID FETCH ${uid} (BINARY.PEEK[3])`);
    expect(r.tagged).toMatch(/^T\d+ NO \[UNKNOWN-CTE\] /);
    expect(r.untagged).toEqual([]);
  });

  it("APPEND of a ~{n} literal keeps NUL and 8-bit bytes: stored as base64, BINARY gives them back", async () => {
    const uid = await appendOne(t.c, BIN, true);
    await t.c.cmd("SELECT INBOX");
    const r = await t.c.cmd(`UID FETCH ${uid} (BINARY.PEEK[1] BINARY.PEEK[] BODY.PEEK[])`);
    const line = Buffer.from(r.untagged[0], "latin1");
    expect(line.includes(Buffer.concat([Buffer.from("BINARY[1] ~{6}\r\n"), Buffer.from([0, 1, 2, 0xff, 0x0d, 0x0a])]))).toBe(true);
    // the whole message decoded is the message as sent
    expect(line.includes(Buffer.concat([Buffer.from(`BINARY[] ~{${BIN.length}}\r\n`), BIN]))).toBe(true);
    // an MH file is text: the part is kept in base64, as Dovecot keeps it
    const stored = BIN.toString("latin1").replace("binary", "base64").replace(/\r\n\r\n[^]*$/, "\r\n\r\nAAEC/w0K");
    expect(r.untagged[0]).toContain(`BODY[] {${stored.length}}\r\n${stored})`);
  });
});

describe("a literal8 APPEND on disk", () => {
  it("is a text file that nmh decodes back to the bytes sent", async () => {
    // imaptest's append-binary body: a NUL, an 8-bit byte, bare LFs and a CRLF
    const body = Buffer.from([0, 0x2d, 0xe4, 0x0a, 0x0d, 0x0a, 0x0a]);
    const head = "From: a@b.example\r\nSubject: bin\r\nMime-Version: 1.0\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\n\r\n";
    const uid = await appendOne(t.c, Buffer.concat([Buffer.from(head), body]), true);
    const env = { ...process.env, HOME: t.mail.home, MH: join(t.mail.home, ".mh_profile") };
    const path = execFileSync("/usr/bin/mh/mhpath", ["+inbox", "last"], { env, encoding: "utf8" }).trim();
    expect(readFileSync(path, "latin1")).toBe(head.replace(/\r\n/g, "\n").replace("binary", "base64") + "AC3kCg0KCg==");
    const out = join(t.mail.home, "part.bin");
    execFileSync("/usr/bin/mh/mhstore", ["+inbox", "last", "-part", "1", "-outfile", out], { env, stdio: "ignore" });
    expect(readFileSync(out)).toEqual(body);
    // and the message nmh shows is the one IMAP serves
    await t.c.cmd("SELECT INBOX");
    const r = await t.c.cmd(`UID FETCH ${uid} (BINARY.SIZE[1] BODY.PEEK[1])`);
    expect(r.untagged).toEqual([`* 9 FETCH (UID ${uid} BINARY.SIZE[1] 7 BODY[1] {12}\r\nAC3kCg0KCg==)`]);
  });
});

describe("MULTIAPPEND and APPENDLIMIT", () => {
  it("appends several messages at once with one APPENDUID range", async () => {
    const a = "Subject: one\r\n\r\n1\r\n";
    const b = "Subject: two\r\n\r\n2\r\n";
    const r = await t.c.cmd(`APPEND INBOX (\\Seen) {${a.length}+}\r\n${a} (\\Flagged) "01-Feb-2024 10:00:00 +0000" {${b.length}+}\r\n${b}`);
    expect(r.tagged).toMatch(/OK \[APPENDUID \d+ 9:10\]/);
    await t.c.cmd("SELECT INBOX");
    const f = await t.c.cmd("UID FETCH 9:10 (FLAGS INTERNALDATE)");
    expect(f.untagged).toEqual([
      "* 9 FETCH (UID 9 FLAGS (\\Seen \\Recent) INTERNALDATE " + f.untagged[0].split("INTERNALDATE ")[1],
      '* 10 FETCH (UID 10 FLAGS (\\Flagged \\Recent) INTERNALDATE "01-Feb-2024 10:00:00 +0000")',
    ]);
  });

  it("is all or nothing: one bad message stores none", async () => {
    const a = "Subject: one\r\n\r\n1\r\n";
    const r = await t.c.cmd(`APPEND INBOX {${a.length}+}\r\n${a} {0+}\r\n`);
    expect(r.tagged).toMatch(/^T\d+ NO /);
    const st = await t.c.cmd("STATUS INBOX (MESSAGES UIDNEXT)");
    expect(st.untagged).toEqual(["* STATUS INBOX (MESSAGES 8 UIDNEXT 9)"]);
  });

  it("STATUS SIZE is the sum of RFC822.SIZE", async () => {
    await t.c.cmd("SELECT INBOX");
    const sizes = (await t.c.cmd("FETCH 1:* (RFC822.SIZE)")).untagged.map((l) => Number(/RFC822.SIZE (\d+)/.exec(l)![1]));
    const st = await t.c.cmd("STATUS INBOX (SIZE)");
    expect(st.untagged).toEqual([`* STATUS INBOX (SIZE ${sizes.reduce((x, y) => x + y, 0)})`]);
  });
});

describe("APPENDLIMIT from the configured maximum message size", () => {
  let srv: Running | undefined;
  let mail: ReturnType<typeof makeMail> | undefined;
  afterEach(async () => {
    await srv?.close();
    mail?.cleanup();
  });

  it("is advertised as APPENDLIMIT=n, told by STATUS, and a MULTIAPPEND over it stores nothing", async () => {
    mail = makeMail();
    srv = await startServer(mail.root, { maxMessageSize: 2000 });
    const c = await RawClient.connect(srv.port);
    expect((await c.cmd("CAPABILITY")).untagged[0].split(" ")).toContain("APPENDLIMIT=2000");
    expect((await c.cmd("STATUS INBOX (APPENDLIMIT)")).untagged).toEqual(["* STATUS INBOX (APPENDLIMIT 2000)"]);
    const small = "Subject: s\r\n\r\nx\r\n";
    const big = `Subject: b\r\n\r\n${"y".repeat(2100)}\r\n`;
    const r = await c.cmd(`APPEND INBOX {${small.length}+}\r\n${small} {${big.length}+}\r\n${big}`);
    // refused by the framer before the literal is read: NO for a synchronising literal, BAD for
    // a LITERAL+ one that is already on its way (RFC 7888 §4); either way nothing is stored
    expect(r.tagged).toMatch(/^T\d+ (NO|BAD) \[TOOBIG\]/);
    expect((await c.cmd("STATUS INBOX (MESSAGES)")).untagged).toEqual(["* STATUS INBOX (MESSAGES 8)"]);
    c.close();
  });
});
