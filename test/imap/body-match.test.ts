// SEARCH BODY/TEXT's raw-byte path must answer exactly as decoding every part and lower-casing
// it (bodyText): generated messages mix charsets, transfer encodings, letter case and the
// bytes that make the shortcut unsafe (U+0130 and U+212A in UTF-8, 0xDD in windows-1254).
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { indexMessage } from "../../src/message/index.js";
import { bodyText } from "../../src/message/index.js";
import { bodyMatches, bodyNeedle } from "../../src/imap/search/body-match.js";
import { AsciiNeedle } from "../../src/imap/search/ascii-needle.js";

const flipCase = (s: string, mask: number) =>
  [...s].map((c, i) => ((mask >> (i % 30)) & 1 ? c.toUpperCase() : c)).join("");

const word = fc.tuple(fc.constantFrom("quokka", "bench", "kelvin", "mail", "ik", "is", "a b", "=41", "x"), fc.nat())
  .map(([w, m]) => Buffer.from(flipCase(w, m)));
const special = fc.constantFrom(
  "c4b0", "e284aa", "efbbbf", "dd", "ff", "c3a9", "c4", "cea3", "1b2442", "0d0a", "0a", "20", "3d", "00",
).map((h) => Buffer.from(h, "hex"));
const body = fc.array(fc.oneof({ weight: 3, arbitrary: word }, { weight: 2, arbitrary: special }), { maxLength: 12 })
  .map((l) => Buffer.concat(l));

const charsets = [undefined, "us-ascii", "utf-8", "UTF-8", "iso-8859-1", "ISO-8859-9", "windows-1254", "windows-1252",
  "koi8-r", "iso-8859-8-i", "iso-2022-jp", "utf-16", "shift_jis", "x-unknown", "iso-2022-kr"];
const encodings = [undefined, "7bit", "8bit", "binary", "base64", "Quoted-Printable", "x-uuencode"];

function qp(b: Buffer, breaks: number): string {
  let out = "";
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    out += c >= 33 && c <= 126 && c !== 61 ? String.fromCharCode(c) : `=${c.toString(16).toUpperCase().padStart(2, "0")}`;
    if ((breaks >> (i % 30)) & 1) out += "=\n";
  }
  return out;
}

const leaf = fc.record({
  type: fc.constantFrom("text/plain", "text/html", "TEXT/Plain", "application/octet-stream", "message/delivery-status"),
  charset: fc.constantFrom(...charsets),
  encoding: fc.constantFrom(...encodings),
  body,
  breaks: fc.nat(),
}).map(({ type, charset, encoding, body, breaks }) => {
  const ct = `Content-Type: ${type}${charset === undefined ? "" : `; charset="${charset}"`}\n`;
  const cte = encoding === undefined ? "" : `Content-Transfer-Encoding: ${encoding}\n`;
  const enc = encoding?.toLowerCase();
  const raw = enc === "base64" ? Buffer.from(body.toString("base64").replace(/.{1,20}/g, "$&\n"))
    : enc === "quoted-printable" ? Buffer.from(qp(body, breaks)) : body;
  return Buffer.concat([Buffer.from(ct + cte + "\n"), raw]);
});

const message: fc.Arbitrary<Buffer> = fc.letrec<{ msg: Buffer }>((tie) => ({
  msg: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    leaf.map((l) => Buffer.concat([Buffer.from("Subject: Quokka\n"), l])),
    fc.tuple(fc.array(fc.oneof(leaf, tie("msg").map((m) => Buffer.concat([Buffer.from("Content-Type: message/rfc822\n\n"), m]))), { minLength: 1, maxLength: 3 }))
      .map(([parts]) => Buffer.concat([
        Buffer.from("Subject: multi\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b\"\n\npre\n"),
        ...parts.flatMap((p) => [Buffer.from("--b\n"), p, Buffer.from("\n")]),
        Buffer.from("--b--\n"),
      ])),
  ),
})).msg;

const needle = fc.tuple(
  fc.constantFrom("quokka", "bench", "kelvin", "k", "i", "ik", "is", "mail", "a b", "=41", "quokka\nmail", "", "é", "σ", "ı", "x\r"),
  fc.nat(),
).map(([w, m]) => flipCase(w, m).toLowerCase());

describe("bodyMatches", () => {
  it("answers as bodyText(...).toLowerCase().includes(needle) on generated messages", () => {
    let hits = 0;
    // one prepared needle per text across runs, as a SEARCH shares one over all its messages
    // (its anchor, chosen from the first haystack, then meets many others)
    const prepared = new Map<string, ReturnType<typeof bodyNeedle>>();
    fc.assert(
      fc.property(message, needle, (msg, n) => {
        const index = indexMessage(msg);
        const want = bodyText(index, msg).toLowerCase().includes(n);
        if (want) hits++;
        if (!prepared.has(n)) prepared.set(n, bodyNeedle(n));
        expect(bodyMatches(index, msg, prepared.get(n)!)).toBe(want);
      }),
      { numRuns: 3000 },
    );
    // the generator must give both answers often, or the property says little
    expect(hits).toBeGreaterThan(300);
    expect(hits).toBeLessThan(2700);
  });

  it("finds a needle only the full path can see: Kelvin sign, dotted capital I, 0xDD in windows-1254", () => {
    const m = (ct: string, body: Buffer) => Buffer.concat([Buffer.from(`Content-Type: text/plain; ${ct}\n\n`), body]);
    const kelvin = m("charset=utf-8", Buffer.from("\u212aelvin"));
    expect(bodyMatches(indexMessage(kelvin), kelvin, bodyNeedle("kelvin"))).toBe(true);
    const dotted = m("charset=utf-8", Buffer.from("\u0130s"));
    expect(bodyMatches(indexMessage(dotted), dotted, bodyNeedle("i"))).toBe(true);
    const turkish = m("charset=windows-1254", Buffer.from([0xdd, 0x73]));
    expect(bodyMatches(indexMessage(turkish), turkish, bodyNeedle("is"))).toBe(false); // "i̇s": a combining dot between
    expect(bodyMatches(indexMessage(turkish), turkish, bodyNeedle("i"))).toBe(true);
    const latin1 = m("charset=iso-8859-1", Buffer.from([0xdd, 0x73]));
    expect(bodyMatches(indexMessage(latin1), latin1, bodyNeedle("i"))).toBe(false);
  });
});

describe("includesAsciiCI", () => {
  it("equals a lower-cased latin1 search, also where anchors are dense enough to switch strategy", () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(..."aAbE e\xe9\xc9"), { maxLength: 6000 }),
        fc.array(fc.constantFrom(..."abe "), { minLength: 1, maxLength: 5 }),
        fc.nat(), fc.nat(),
        (hayChars, needleChars, x, y) => {
          const hay = Buffer.from(hayChars.join(""), "latin1");
          const n = needleChars.join("");
          const start = hay.length ? x % hay.length : 0;
          const end = start + (hay.length ? y % (hay.length - start + 1) : 0);
          const want = hay.toString("latin1", start, end).toLowerCase().includes(n);
          const needle = new AsciiNeedle(n);
          // twice: the second call uses the anchor the first one chose (or changed)
          expect(needle.foundIn(hay, start, end)).toBe(want);
          expect(needle.foundIn(hay, start, end)).toBe(want);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
