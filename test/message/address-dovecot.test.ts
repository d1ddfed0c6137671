// Odd address fields (words without an address, comments, groups, routes, encoded words): our
// ENVELOPE equals Dovecot's, since SEARCH FROM/TO/CC/BCC also look in these parsed addresses.
import { describe, expect, it } from "vitest";
import { compareWithDovecot } from "./compare.js";

const FIELDS = [
  "undisclosed recipients",
  "Undisclosed recipients:;",
  "foo",
  "foo bar <x@y.org>",
  "user@example.org (Real Name)",
  "user@example.org (first) (second)",
  "<user (c)@ (c) example.org>",
  "\"Doe, J\" <j@x.org>, (only comment)",
  "\"quoted \\\" name\" <q@r>, O'Brien <ob@x>",
  "<@route.example:r@s>",
  "=?iso-8859-1?q?Andr=E9?= Pirard <PIRARD@vm1.ulg.ac.be>",
  "Group: a@b.c, d@e.f;, x: g@h;",
  "groupname:;",
  "<>",
  "a@b, c d e, f@g",
];

describe("address fields as Dovecot parses them", () => {
  it("ENVELOPE To of each odd field equals Dovecot's", () => {
    const messages = FIELDS.map((f) => Buffer.from(`From: a@b.c\r\nTo: ${f}\r\nSubject: x\r\n\r\nbody\r\n`, "latin1"));
    const diffs = compareWithDovecot(messages).filter((d) => d.item === "ENVELOPE");
    expect(diffs.map((d) => ({ field: FIELDS[d.message], ours: JSON.stringify(d.ours), dovecot: JSON.stringify(d.dovecot) }))).toEqual([]);
  });
});
