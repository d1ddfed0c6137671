// SEARCH TEXT skips parsing a header block when a raw look rules the needle out: it must never
// rule out a block whose parsed `name: value` strings hold the needle (property, random blocks
// with folding, lines without a colon, 8-bit bytes, RFC 2047 words, letter case).
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { headerFields } from "../../src/imap/search/header-values.js";
import { HeaderPrefilter } from "../../src/imap/search/header-prefilter.js";

const names = fc.constantFrom("From", "to", "SUBJECT", "X-Quokka", " Received", "Subject ", "no-colon-line", "Tö", "");
const piece = fc.oneof(
  fc.string({ unit: fc.constantFrom(..."aQkK iI:@.<>-=?_", "\t") }),
  fc.constantFrom("=?utf-8?B?UXVva2th?=", "=?iso-8859-1?Q?qu=F6kka?=", "=?utf-8?q?Quo_kka?=", "\xc4\xb0", "\xe2\x84\xaa", "quoKKa"),
);
const line = fc.tuple(names, fc.boolean(), fc.array(piece, { maxLength: 4 }), fc.constantFrom(" ", "\n ", "\r\n\t", ""), fc.boolean())
  .map(([n, colon, parts, join, crlf]) => `${n}${colon ? ":" : ""}${parts.join(join)}${crlf ? "\r\n" : "\n"}`);
const needle = fc.constantFrom("quokka", "kk", "k", "i", "from:", "x-quokka", "qu kka", "a:q", "ö", "", "<q>", "=?", "subject: quokka", "to: a");

describe("HeaderPrefilter", () => {
  it("never rules out a block whose fields hold the needle", () => {
    let ruledOut = 0;
    let held = 0;
    fc.assert(
      fc.property(fc.array(line, { maxLength: 8 }), needle, fc.boolean(), fc.nat(), fc.nat(), fc.nat(), (lines, fixed, cut, f, a, l) => {
        const block = Buffer.from(lines.join("") + "\n", "latin1");
        const texts = headerFields(block).map((h) => `${h.name}: ${h.value}`.toLowerCase());
        // half the needles are cut from the parsed fields, so they hold and may span ": " or a fold
        const t = texts.length ? texts[f % texts.length] : "";
        const n = cut && t ? t.slice(a % t.length, (a % t.length) + 1 + (l % 12)) : fixed;
        const holds = texts.some((x) => x.includes(n));
        if (holds) held++;
        const may = new HeaderPrefilter(n).mayHold(block);
        if (!may) ruledOut++;
        if (holds) expect(may).toBe(true);
      }),
      { numRuns: 3000 },
    );
    // it must rule out often, or it saves nothing; and the needles must often hold
    expect(ruledOut).toBeGreaterThan(100);
    expect(held).toBeGreaterThan(1000);
  });
});
