// End to end with Python's imaplib against the real asimapd: over TLS, and over the plain port
// with STARTTLS.
import { afterEach, beforeEach, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { makeMail } from "../imap/harness.js";
import { expandSet } from "../imap/search-oracle.js";
import { startAsimapd, type E2eServer } from "./server.js";

let mail: ReturnType<typeof makeMail>;
let server: E2eServer;

beforeEach(async () => {
  mail = makeMail();
  server = await startAsimapd(mail.home, mail.root);
});
afterEach(async () => {
  await server.stop();
  mail.cleanup();
});

it.each(["tls", "starttls"])("python imaplib (%s): list, select, fetch, search, store, copy, append, expunge", async (mode) => {
  const port = mode === "tls" ? server.tlsPort : server.plainPort;
  const { stdout } = await promisify(execFile)("python3", [join(import.meta.dirname, "imaplib_client.py"), String(port), mode]);
  const r = JSON.parse(stdout);
  expect(r.list).toContain('(\\HasNoChildren) "/" INBOX');
  expect(r.list).toContain('(\\HasNoChildren \\Sent) "/" "Sent Messages"');
  expect(r.exists).toBe(8);
  expect(r.fetch[0]).toMatch(/^1 \(FLAGS \(\\Seen\) RFC822.SIZE \d+ BODY\[HEADER.FIELDS \(SUBJECT\)\] \{\d+\}$/);
  const size = Number(/RFC822.SIZE (\d+)/.exec(r.after_rfc822)![1]);
  expect(r.rfc822_len).toBe(size);
  expect(r.unseen).toBe("5 6 7 8");
  expect(r.flagged_uids).toBe("2");
  expect(r.store).toEqual(["1 (FLAGS (\\Flagged \\Seen))"]);
  expect(r.copy).toBe("OK");
  expect(r.append[0]).toBe("OK");
  expect(r.append[1]).toMatch(/^\[APPENDUID \d+ 25\] Append completed\.$/);
  expect(r.status).toBe("one (MESSAGES 25)");
  expect(r.expunge).toEqual(["4"]);
});

it("python imaplib in an IMAP4rev2 session under COMPRESS=DEFLATE: select, ESEARCH, bodies", async () => {
  const { stdout } = await promisify(execFile)("python3", [join(import.meta.dirname, "imaplib_rev2.py"), String(server.tlsPort)]);
  const r = JSON.parse(stdout);
  expect(r.capabilities).toEqual(expect.arrayContaining(["IMAP4REV1", "IMAP4REV2"]));
  expect(r.compress).toBe("OK");
  expect(r.enabled).toEqual(["IMAP4rev2"]);
  expect(r.exists).toBe(8);
  expect(r.recent).toBe(false);
  expect(r.select_list).toEqual(['() "/" INBOX']);
  expect(r.esearch[0]).toMatch(/^\(TAG "\w+"\) UID ALL \d/);
  expect(r.bodies).toBeGreaterThan(0);
  // compressed: fewer bytes came over the wire than the bodies alone hold
  expect(r.wire_bytes).toBeLessThan(r.bodies);
  expect(r.logout).toBe("BYE");
});

it("python imaplib: SORT (DISPLAYFROM/DISPLAYTO), THREAD REFS, ESORT and a CONTEXT=SEARCH update", async () => {
  const { stdout } = await promisify(execFile)("python3", [join(import.meta.dirname, "imaplib_sort.py"), String(server.tlsPort)]);
  const r = JSON.parse(stdout);
  expect(r.capabilities).toEqual(expect.arrayContaining(["SORT=DISPLAY", "ESORT", "CONTEXT=SEARCH", "CONTEXT=SORT", "THREAD=REFS"]));
  expect(r.displayfrom.split(" ").map(Number).sort((a: number, b: number) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  // ESORT's ALL is the plain UID SORT's order; its sets ascend only within a range
  const uids = r.displayto_uids.split(" ").map(Number);
  expect(r.esort).toHaveLength(1);
  const [, all, count] = /UID ALL (\S+) COUNT (\d+)$/.exec(r.esort[0])!;
  expect(expandSet(all)).toEqual(uids);
  expect(Number(count)).toBe(8);
  // every message is in one REFS thread
  expect(r.refs.match(/\d+/g).map(Number).sort((a: number, b: number) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  expect(r.context[0]).toBe("OK");
  expect(r.context[1]).toEqual([expect.stringMatching(/^\(TAG "\w+"\) COUNT 0$/)]);
  expect(r.update).toEqual([expect.stringMatching(/^\(TAG "\w+"\) ADDTO \(0 2:3\)$/)]);
  expect(r.cancel).toBe("OK");
});

it("python imaplib: a CATENATE APPEND of two URL parts, and a URL naming nothing (BADURL)", async () => {
  const { stdout } = await promisify(execFile)("python3", [join(import.meta.dirname, "imaplib_catenate.py"), String(server.tlsPort)]);
  const r = JSON.parse(stdout);
  expect(r.capabilities).toContain("CATENATE");
  expect(r.append[0]).toBe("OK");
  expect(r.badurl).toEqual(["NO", "[BADURL /INBOX/;UID=999999] Message not found."]);
  // the header and the text of the message are the message: the one stored has its bytes
  expect(r.made).toEqual([r.source]);
});
