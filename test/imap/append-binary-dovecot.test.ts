// APPEND of literal8 messages (BINARY, RFC 3516) compared with Dovecot's answers to the same
// APPENDs: a part sent with Content-Transfer-Encoding binary is stored as base64 (BODY[n] and
// BODYSTRUCTURE show base64), and BINARY[n] gives back its exact bytes. Also empty parts, a
// plain literal (kept as sent) and a literal8 without a binary part.
import { describe, expect, it } from "vitest";
import { dovecotAppendFetch, parseFetches, type Val } from "../message/dovecot-oracle.js";
import type { RawClient } from "./harness.js";
import { useServer } from "./setup.js";

const t = useServer();

const H = "From: user@domain.org\r\nDate: Sat, 24 Mar 2007 23:00:00 +0200\r\nMime-Version: 1.0\r\n";
const b = (...xs: Array<string | number[]>): Buffer => Buffer.concat(xs.map((x) => (typeof x === "string" ? Buffer.from(x, "latin1") : Buffer.from(x))));
const OCTETS = "Content-Type: application/octet-stream\r\n";
const CTE_BINARY = "Content-Transfer-Encoding: binary\r\n";
// imaptest's append-binary: a NUL, an 8-bit byte, bare LFs and a CRLF
const IMAPTEST_BODY = [0, 0x2d, 0xe4, 0x0a, 0x0d, 0x0a, 0x0a];

const SINGLE: Array<{ data: Buffer; binary: boolean }> = [
  { data: b(H, OCTETS, CTE_BINARY, "\r\n", IMAPTEST_BODY), binary: true },
  // the same as a plain literal: not converted
  { data: b(H, OCTETS, CTE_BINARY, "\r\n", [0x2d, 0xe4, 0x0a, 0x0d, 0x0a, 0x0a]), binary: false },
  // 100 bytes: more than one base64 line; the encoding field before Content-Type
  { data: b(H, CTE_BINARY, OCTETS, "\r\n", [...Array(100).keys()]), binary: true },
  // a literal8 whose part is 8bit: not converted
  { data: b(H, "Content-Type: text/plain\r\nContent-Transfer-Encoding: 8bit\r\n\r\nab\xe4c\n"), binary: true },
  // an empty body
  { data: b(H, "Content-Type: text/plain\r\n\r\n"), binary: true },
  { data: b(H, OCTETS, CTE_BINARY, "\r\n"), binary: true },
  { data: b(H, "Content-Type: text/plain\r\nContent-Transfer-Encoding: BINARY\r\n\r\nxyz"), binary: true },
];

const MULTI: Array<{ data: Buffer; binary: boolean }> = [
  {
    data: b(
      H, "Content-Type: multipart/mixed; boundary=XX\r\n\r\npre\r\n",
      "--XX\r\nContent-Type: text/plain\r\n\r\nhello\r\n",
      "--XX\r\nContent-Type: image/png\r\n", CTE_BINARY, "\r\n", [0x89], "PNG\r\n\x1a\n", [0, 0], "\r\n",
      "--XX\r\n", OCTETS, CTE_BINARY, "\r\n\r\n--XX--\r\nepi\r\n",
    ),
    binary: true,
  },
  {
    // a binary part inside a message/rfc822 part
    data: b(
      H, "Content-Type: multipart/mixed; boundary=XX\r\n\r\n",
      "--XX\r\nContent-Type: text/plain\r\n\r\n\r\n",
      "--XX\r\nContent-Type: message/rfc822\r\n\r\nSubject: inner\r\n", OCTETS, CTE_BINARY, "\r\n", [0, 1, 2, 3, 0x0a], "\r\n",
      "--XX\r\nContent-Type: text/plain\r\n\r\n\r\n--XX--\r\n",
    ),
    binary: true,
  },
  {
    // a plain literal with encoded parts: BINARY[] decodes them
    data: b(
      H, "Content-Type: multipart/mixed; boundary=XX\r\n\r\n",
      "--XX\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\naGVsbG8AIHdvcmxk\r\n",
      "--XX\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: Quoted-Printable\r\n\r\ncaf=C3=A9 =\r\nend\r\n",
      "--XX\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: 8bit\r\n\r\nplain\n\xe4\r\n--XX--\r\n",
    ),
    binary: false,
  },
];

// a multipart without parts: part 1 is the empty text/plain part BODYSTRUCTURE shows
const EMPTY: Array<{ data: Buffer; binary: boolean }> = [
  { data: b(H, "Content-Type: multipart/mixed; boundary=XX\r\n\r\n"), binary: false },
  { data: b(H, "Content-Type: multipart/mixed; boundary=XX\r\n\r\nno boundary\r\n"), binary: true },
];
const EMPTY_ITEMS = "BODYSTRUCTURE BODY.PEEK[1] BODY.PEEK[1.MIME] BINARY.PEEK[1] BINARY.SIZE[1]";

const PART_ITEMS = (p: string): string[] => [`BODY.PEEK[${p}]`, `BINARY.PEEK[${p}]`, `BINARY.SIZE[${p}]`];
const SINGLE_ITEMS = ["RFC822.SIZE", "BODYSTRUCTURE", "BODY.PEEK[]", ...PART_ITEMS("1")].join(" ");
const MULTI_ITEMS = ["RFC822.SIZE", "BODYSTRUCTURE", "BODY.PEEK[]", "BINARY.PEEK[]", "BINARY.SIZE[]", ...["1", "2", "3", "2.1"].flatMap(PART_ITEMS), "BODY.PEEK[3.MIME]"].join(" ");

async function ours(c: RawClient, appends: Array<{ data: Buffer; binary: boolean }>, items: string): Promise<Array<Record<string, Val>>> {
  const uids: number[] = [];
  for (const a of appends) {
    const r = await c.cmd(Buffer.concat([Buffer.from(`APPEND INBOX ${a.binary ? "~" : ""}{${a.data.length}+}\r\n`), a.data]));
    const m = /APPENDUID \d+ (\d+)/.exec(r.tagged);
    if (!m) throw new Error(r.tagged);
    uids.push(Number(m[1]));
  }
  expect((await c.cmd("SELECT INBOX")).tagged).toMatch(/^T\d+ OK/);
  const r = await c.cmd(`UID FETCH ${uids.join(",")} (${items})`);
  expect(r.tagged).toMatch(/^T\d+ OK/);
  const all = parseFetches(Buffer.from(r.untagged.join("\r\n") + "\r\n", "latin1"), 8 + appends.length).slice(8);
  return all.map(({ UID: _uid, ...rest }) => rest);
}

describe("APPEND of a literal8 as Dovecot stores it", () => {
  it("single-part messages", async () => {
    expect(await ours(t.c, SINGLE, SINGLE_ITEMS)).toEqual(dovecotAppendFetch(SINGLE, SINGLE_ITEMS));
  });

  it("multipart messages and a message/rfc822 part; BINARY of a composite part decodes the parts inside", async () => {
    expect(await ours(t.c, MULTI, MULTI_ITEMS)).toEqual(dovecotAppendFetch(MULTI, MULTI_ITEMS));
  });

  it("a multipart without parts: its part 1 is empty, not NIL", async () => {
    expect(await ours(t.c, EMPTY, EMPTY_ITEMS)).toEqual(dovecotAppendFetch(EMPTY, EMPTY_ITEMS));
  });
});
