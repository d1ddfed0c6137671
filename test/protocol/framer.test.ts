// The framer: literals, limits, raw-line mode, resynchronisation, chunking invariance.
import { describe, expect, test } from "vitest";
import fc from "fast-check";
import { Framer, type FramerEvent } from "../../src/protocol/framer.js";
import { frameAll } from "./helpers.js";

const b = (s: string): Buffer => Buffer.from(s, "latin1");
const lines = (evs: FramerEvent[]): string[] =>
  evs.map((e) => {
    switch (e.kind) {
      case "frame": return `frame ${e.frame.line.toString("latin1")} | ${e.frame.literals.map((l) => l.toString("latin1")).join(" | ")}`;
      case "continue": return `continue ${e.tag} ${e.size}`;
      case "line": return `line ${e.line.toString("latin1")}`;
      case "error": return `error ${e.tag ?? "*"} ${e.status}${e.code ? ` [${e.code}]` : ""}${e.close ? " close" : ""}`;
    }
  });

describe("framer", () => {
  test("commands, sync and non-sync literals, literal8, bare LF", () => {
    const evs = frameAll(b("A1 NOOP\r\nA2 LOGIN {5}\r\nalice {6+}\r\nsecret\r\nA3 APPEND INBOX ~{3}\r\n\x00\r\n\r\nA4 CHECK\n"));
    expect(lines(evs)).toEqual([
      "frame A1 NOOP | ",
      "continue A2 5",
      "frame A2 LOGIN {5} {6+} | alice | secret",
      "continue A3 3",
      "frame A3 APPEND INBOX ~{3} | \x00\r\n",
      "frame A4 CHECK | ",
    ]);
  });

  test("8-bit bytes pass intact, in lines and literals", () => {
    const lit = Buffer.from([0xff, 0x00, 0x80, 0x0d, 0x0a, 0xc3, 0xa9]);
    const bytes = Buffer.concat([b("A1 SEARCH TEXT \xe9\xff {7+}\r\n"), lit, b(" x\r\n")]);
    const [e] = frameAll(bytes);
    expect(e.kind).toBe("frame");
    if (e.kind === "frame") {
      expect(e.frame.line).toEqual(b("A1 SEARCH TEXT \xe9\xff {7+} x"));
      expect(e.frame.literals[0]).toEqual(lit);
    }
  });

  test("zero-length literal", () => {
    expect(lines(frameAll(b("A1 LOGIN {0}\r\n {0+}\r\n\r\n")))).toEqual(["continue A1 0", "frame A1 LOGIN {0} {0+} |  | "]);
  });

  test("over-size synchronising literal: NO [TOOBIG] without reading it, then resync", () => {
    const evs = frameAll(b("A1 LOGIN {9000}\r\nA2 NOOP\r\n"));
    expect(lines(evs)).toEqual(["error A1 NO [TOOBIG]", "frame A2 NOOP | "]);
  });

  test("APPEND gets its own (larger) limit", () => {
    const opts = { maxLiteralSize: (c: string) => (c === "APPEND" ? 100 : 10) };
    expect(lines(frameAll(b("A1 APPEND INBOX {50}\r\n"), undefined, opts))).toEqual(["continue A1 50"]);
    expect(lines(frameAll(b("A1 LOGIN {50}\r\n"), undefined, opts))).toEqual(["error A1 NO [TOOBIG]"]);
    expect(lines(frameAll(b("A1 APPEND INBOX {101}\r\n"), undefined, opts))).toEqual(["error A1 NO [TOOBIG]"]);
  });

  test("over-size non-synchronising literal: its bytes and the rest of the command are discarded, then BAD", () => {
    const opts = { maxLiteralSize: () => 10 };
    const evs = frameAll(b("A1 APPEND INBOX {20+}\r\nA9 DELETE INBOX\r\n12 rest {3+}\r\nabc tail\r\nA2 NOOP\r\n"), undefined, opts);
    expect(lines(evs)).toEqual(["error A1 BAD [TOOBIG]", "frame A2 NOOP | "]);
  });

  test("LITERAL-: a {n+} over nonSyncMax is refused and discarded", () => {
    const evs = frameAll(b("A1 LOGIN {5+}\r\nhello x\r\nA2 NOOP\r\n"), undefined, { nonSyncMax: 4 });
    expect(lines(evs)).toEqual(["error A1 BAD [TOOBIG]", "frame A2 NOOP | "]);
  });

  test("a {n+} beyond maxDiscard closes the connection", () => {
    const evs = frameAll(b("A1 APPEND INBOX {999999999+}\r\nxxxx"), undefined, { maxDiscard: 1000 });
    expect(lines(evs)).toEqual(["error A1 BAD [TOOBIG] close"]);
  });

  test("line too long: BAD with the tag, skipped to the next CRLF, connection usable", () => {
    const long = "A1 SEARCH TEXT " + "x".repeat(200);
    const evs = frameAll(b(long + "\r\nA2 NOOP\r\n"), [7], { maxLineLength: 100 });
    expect(lines(evs)).toEqual(["error A1 BAD", "frame A2 NOOP | "]);
  });

  test("a too-long line ending in {n+} has its literal skipped too", () => {
    const long = "A1 APPEND INBOX " + "x".repeat(200) + " {5+}";
    const evs = frameAll(b(long + "\r\nhello\r\nA2 NOOP\r\n"), [13], { maxLineLength: 100 });
    expect(lines(evs)).toEqual(["error A1 BAD", "frame A2 NOOP | "]);
  });

  test("sync literal without a valid tag: BAD, no continuation", () => {
    expect(lines(frameAll(b("{5}\r\nA2 NOOP\r\n")))).toEqual(["error * BAD", "frame A2 NOOP | "]);
  });

  test("raw-line mode for IDLE's DONE and AUTHENTICATE responses", () => {
    const f = new Framer();
    f.push(b("A1 IDLE\r\nDONE\r\nA2 AUTHENTICATE PLAIN\r\nAGFsaWNlAHNlY3JldA==\r\nA3 NOOP\r\n"));
    const got: string[] = [];
    for (let e = f.next(); e !== null; e = f.next()) {
      got.push(...lines([e]));
      if (e.kind === "frame" && /IDLE|AUTHENTICATE/.test(e.frame.line.toString())) f.expectRawLine();
    }
    expect(got).toEqual([
      "frame A1 IDLE | ", "line DONE", "frame A2 AUTHENTICATE PLAIN | ", "line AGFsaWNlAHNlY3JldA==", "frame A3 NOOP | ",
    ]);
  });

  test("needs more bytes: next() returns null until the line is complete", () => {
    const f = new Framer();
    f.push(b("A1 NO"));
    expect(f.next()).toBeNull();
    expect(f.buffered).toBe(0);
    f.push(b("OP\r"));
    expect(f.next()).toBeNull();
    f.push(b("\n"));
    expect(f.next()?.kind).toBe("frame");
  });

  test("property: events do not depend on how the bytes are chunked", () => {
    const piece = fc.constantFrom(
      "A1 NOOP\r\n", "A2 LOGIN {5}\r\nalice {6+}\r\nsecret\r\n", "A3 APPEND INBOX ~{4}\r\n\x00\r\n\xff\r\n",
      "A4 SEARCH TEXT {20}\r\n", "A5 SEARCH TEXT {30+}\r\n" + "z".repeat(30) + " more\r\n", "\r\n", "\n",
      "A6 FETCH 1:* (FLAGS)\n", "junk without tag {3}\r\n", "A7 " + "y".repeat(90) + "\r\n",
      "A8 X " + "y".repeat(90) + " {4+}\r\nabcd\r\n", "A9 x {0}\r\n\r\n", "\xe9\xff\x00 8bit\r\n",
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), fc.array(fc.integer({ min: 1, max: 17 }), { minLength: 1, maxLength: 6 }), (ps, sizes) => {
        const bytes = b(ps.join(""));
        const opts = { maxLineLength: 64, maxLiteralSize: () => 25 };
        const whole = lines(frameAll(bytes, undefined, opts));
        expect(lines(frameAll(bytes, sizes, opts))).toEqual(whole);
        expect(lines(frameAll(bytes, [1], opts))).toEqual(whole);
      }),
      { numRuns: 1500 },
    );
  });
});
