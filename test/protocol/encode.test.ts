// The encoder, modified UTF-7, and sequence-set resolution.
import { describe, expect, test } from "vitest";
import fc from "fast-check";
import {
  astring, atom, compressSet, decodeMailboxName, encodeData, encodeMailboxName, literal, mailbox,
  nstring, orderedSet, quoted, raw, respText,
} from "../../src/protocol/encode.js";
import {
  clipRanges, formatRanges, intersectSorted, iterateRanges, rangesContain, rangesCount, resolveSet,
} from "../../src/protocol/sequence.js";
import { parseRule } from "../../src/protocol/parse.js";

const s = (b: Buffer): string => b.toString("latin1");

describe("encodeData", () => {
  test("atoms, quoted with escaping, NIL, numbers, lists", () => {
    expect(s(encodeData([atom("FLAGS"), ["\\Seen"], "a\"b\\c", null, 42, raw("BODY[]")]))).toBe(
      '(FLAGS ("\\\\Seen") "a\\"b\\\\c" NIL 42 BODY[])',
    );
  });
  test("literal for 8-bit, CR, LF, NUL and long strings; bytes untouched", () => {
    expect(s(encodeData("café"))).toBe("{5}\r\ncaf\xc3\xa9");
    expect(s(encodeData("a\r\nb"))).toBe("{4}\r\na\r\nb");
    expect(s(encodeData(Buffer.from([0, 1])))).toBe("{2}\r\n\x00\x01");
    expect(s(encodeData(Buffer.from([0xff])))).toBe("{1}\r\n\xff");
    expect(s(encodeData("x".repeat(2000))).startsWith("{2000}\r\nxxx")).toBe(true);
    expect(s(encodeData(""))).toBe('""');
  });
  test("helpers", () => {
    expect(quoted('say "hi"')).toBe('"say \\"hi\\""');
    expect(() => quoted("a\nb")).toThrow();
    expect(s(literal(Buffer.from("abc")))).toBe("{3}\r\nabc");
    expect(s(nstring(null))).toBe("NIL");
    expect(s(astring("foo"))).toBe("foo");
    expect(s(astring("NIL"))).toBe('"NIL"');
    expect(s(astring("a b"))).toBe('"a b"');
    expect(s(mailbox("INBOX"))).toBe("INBOX");
    expect(s(mailbox("Entwürfe"))).toBe("Entw&APw-rfe");
    expect(s(mailbox("a b/c&d"))).toBe('"a b/c&-d"');
    expect(respText("UIDNEXT 5", "ok\r\nevil")).toBe("[UIDNEXT 5] ok evil");
    expect(orderedSet([5, 1, 2, 3, 9])).toBe("5,1:3,9");
  });
  test("rejects values that are not IMAP data", () => {
    expect(() => encodeData(-1)).toThrow(TypeError);
    expect(() => encodeData(1.5)).toThrow(TypeError);
  });
  test("encoded strings parse back to the same bytes", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 40 }), (a) => {
      const buf = Buffer.from(a);
      const enc = encodeData(buf);
      const lits: Buffer[] = [];
      let text = s(enc);
      const m = /^\{(\d+)\}\r\n/.exec(text);
      if (m) { lits.push(enc.subarray(m[0].length)); text = `{${m[1]}}`; }
      expect(parseRule("string", text, lits)).toEqual(buf);
    }), { numRuns: 1000 });
  });
});

describe("compressSet", () => {
  test("examples", () => {
    expect(compressSet([])).toBe("");
    expect(compressSet([7, 3, 1, 2, 2])).toBe("1:3,7");
    expect(compressSet([4294967295, 4294967294])).toBe("4294967294:4294967295");
  });
  test("property: expands back to the same set", () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 200 }), { maxLength: 60 }), (nums) => {
      const set = parseRule("sequenceSet", compressSet(nums) || "1") as never;
      const back = nums.length === 0 ? [] : [...iterateRanges(resolveSet(set, 200))];
      expect(back).toEqual([...new Set(nums)].sort((a, b) => a - b));
    }), { numRuns: 1000 });
  });
});

describe("modified UTF-7", () => {
  test("RFC 3501 §5.1.3 example and edge cases", () => {
    expect(encodeMailboxName("~peter/mail/台北/日本語")).toBe("~peter/mail/&U,BTFw-/&ZeVnLIqe-");
    expect(decodeMailboxName("~peter/mail/&U,BTFw-/&ZeVnLIqe-")).toBe("~peter/mail/台北/日本語");
    expect(encodeMailboxName("&")).toBe("&-");
    expect(decodeMailboxName("a&-b")).toBe("a&b");
    for (const bad of ["&", "&Jjo", "&Jjo!-", "&AGE-", "&U,BTF-"]) expect(() => decodeMailboxName(bad)).toThrow();
    expect(decodeMailboxName("caf\xc3\xa9")).toBe("café"); // raw UTF-8 (UTF8=ACCEPT style)
  });
  test("property: round trip for any string, output is printable ASCII", () => {
    fc.assert(fc.property(fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 30 }), (name) => {
      const enc = encodeMailboxName(name);
      expect(enc).toMatch(/^[\x20-\x7e]*$/);
      expect(decodeMailboxName(enc)).toBe(name);
    }), { numRuns: 2000 });
    fc.assert(fc.property(fc.string({ unit: "grapheme", maxLength: 20 }), (name) => {
      expect(decodeMailboxName(encodeMailboxName(name))).toBe(name);
    }), { numRuns: 1000 });
  });
});

describe("sequence sets", () => {
  const set = (t: string) => parseRule("sequenceSet", t) as never;
  test("resolve `*`, reversed ranges, merging", () => {
    expect(resolveSet(set("5:*,1,2,3:2"), 7)).toEqual([{ start: 1, end: 3 }, { start: 5, end: 7 }]);
    expect(resolveSet(set("*:3"), 2)).toEqual([{ start: 2, end: 3 }]);
    expect(resolveSet(set("*"), 0)).toEqual([]);
    expect(resolveSet(set("$"), 9, [{ start: 4, end: 6 }])).toEqual([{ start: 4, end: 6 }]);
    expect(resolveSet(set("$"), 9)).toEqual([]);
  });
  test("huge ranges are never materialised", () => {
    const r = resolveSet(set("1:4294967295"), 10);
    expect(r).toEqual([{ start: 1, end: 4294967295 }]);
    expect(rangesCount(r)).toBe(4294967295);
    expect(rangesContain(r, 4000000000)).toBe(true);
    expect(intersectSorted(r, [3, 9, 4294967295])).toEqual([3, 9, 4294967295]);
    expect(intersectSorted(resolveSet(set("2:4,8,10:*"), 12), [1, 2, 5, 8, 9, 11, 12])).toEqual([2, 8, 11, 12]);
    expect(clipRanges(r, 1, 5)).toEqual([{ start: 1, end: 5 }]);
    expect(formatRanges(resolveSet(set("3,1:2,9"), 9))).toBe("1:3,9");
  });
  test("parser rejects 0 and numbers over 2^32-1", () => {
    expect(() => set("0")).toThrow(/must not be 0/);
    expect(() => set("4294967296")).toThrow(/out of range/);
    expect(() => set("1:x")).toThrow();
  });
});
