// SEARCH on one header key decodes only the fields of that name: the result must be exactly the
// full parse filtered by name (property, random header blocks with folding, 8-bit bytes and
// RFC 2047 words).
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { headerFields } from "../../src/imap/search/header-values.js";
import { decode2047 } from "../../src/message/index.js";

const names = fc.constantFrom("From", "from", "To", "CC", "Subject", "X-Thing", "Received", "FROM ", "Bcc",
  " From", "\xa0From", "Fromage", "\tto", "X-Thingy", "Subject\r\n ", "Tö");
const valuePiece = fc.oneof(
  fc.string({ unit: fc.constantFrom(..."abc xyz@.<>\"=?_-", "é", "ü") }),
  fc.constantFrom("=?utf-8?B?w6ljb2xl?=", "=?iso-8859-1?Q?caf=E9?=", "=?utf-8?q?zelda=2Equarterly?=", "\xff\xfe"),
);
const field = fc.tuple(names, fc.array(valuePiece, { maxLength: 4 }), fc.boolean(), fc.boolean()).map(
  ([n, parts, fold, crlf]) => `${n}: ${parts.join(fold ? (crlf ? "\r\n " : "\n\t") : " ")}${crlf ? "\r\n" : "\n"}`,
);

describe("headerFields(block, only)", () => {
  it("equals the full parse filtered by name", () => {
    fc.assert(
      fc.property(fc.array(field, { maxLength: 8 }), fc.constantFrom("from", "to", "cc", "bcc", "subject", "x-thing", "tö", "fromage"), (fields, only) => {
        const block = Buffer.from(fields.join("") + "\n", "latin1");
        expect(headerFields(block.subarray(0, block.length - 1), only))
          .toEqual(headerFields(block.subarray(0, block.length - 1)).filter((h) => h.name === only));
        expect(headerFields(block, only)).toEqual(headerFields(block).filter((h) => h.name === only));
      }),
      { numRuns: 1000 },
    );
  });

  it("a plain ASCII value is what RFC 2047 decoding gives", () => {
    const ascii = fc.string({ unit: fc.constantFrom(..."aZ09 @.<>\"=?_-\t!~\x01\x7f") });
    fc.assert(
      fc.property(ascii, (v) => {
        const got = headerFields(Buffer.from(`From: ${v}\n`, "latin1"), "from");
        expect(got).toEqual([{ name: "from", value: decode2047(v.trim()) }]);
      }),
      { numRuns: 1000 },
    );
  });
});
