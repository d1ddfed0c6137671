// Property: arbitrary and mutated bytes never make the framer or parser throw anything but a
// ParseError, and always finish (no hang: every run completes inside the test timeout).
import { describe, expect, test } from "vitest";
import fc from "fast-check";
import { Framer } from "../../src/protocol/framer.js";
import { parseCommand, ParseError, parseRule } from "../../src/protocol/parse.js";
import { command } from "./arbitraries.js";
import { encodeCommand } from "./client-encoder.js";

function run(bytes: Buffer, chunk: number): { frames: number; errors: number } {
  const f = new Framer({ maxLineLength: 512, maxLiteralSize: () => 256 });
  let frames = 0;
  let errors = 0;
  for (let pos = 0; pos < bytes.length; pos += chunk) {
    f.push(bytes.subarray(pos, pos + chunk));
    for (let e = f.next(); e !== null; e = f.next()) {
      if (e.kind === "frame") {
        frames++;
        try {
          parseCommand(e.frame);
        } catch (err) {
          if (!(err instanceof ParseError)) throw err;
          expect(err.message.length).toBeGreaterThan(0);
          expect(err.message).not.toMatch(/[\r\n]/);
          errors++;
        }
      } else if (e.kind === "continue") {
        // the owner would send `+`: nothing to do
      } else if (e.kind === "line") {
        throw new Error("raw line without expectRawLine()");
      }
    }
  }
  return { frames, errors };
}

const imapish = fc.string({
  unit: fc.constantFrom(..." ()[]<>{}~+*$%\\\".:,-0123456789AaBCDEFGHIJKLMNOPQRSTUVWXYZ\r\n\x00\xff".split(""),
    "FETCH", "UID ", "BODY[", "{3}\r\n", "{2+}\r\n", "~{1}\r\n", "SEARCH ", "OR ", "NOT ", "APPEND ", "A1 ", "\r\n",
    "CATENATE (", "TEXT ", "URL ", "\"/INBOX/;UID=1\""),
  maxLength: 80,
}).map((s) => Buffer.from(s, "latin1"));

describe("fuzz", () => {
  test("random bytes: only ParseError, framer never throws", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 1, max: 64 }), (a, chunk) => {
        run(Buffer.from(a), chunk);
      }),
      { numRuns: 2000 },
    );
  });

  test("IMAP-like token soup: only ParseError", () => {
    fc.assert(
      fc.property(imapish, fc.integer({ min: 1, max: 16 }), (b, chunk) => {
        run(Buffer.concat([Buffer.from("T1 "), b, Buffer.from("\r\n")]), chunk);
      }),
      { numRuns: 1500 },
    );
  });

  test("mutated valid commands: only ParseError", () => {
    const mutation = fc.record({ pos: fc.nat(), byte: fc.integer({ min: 0, max: 255 }), op: fc.constantFrom("set", "insert", "delete") });
    fc.assert(
      fc.property(command, fc.array(mutation, { minLength: 1, maxLength: 4 }), (c, muts) => {
        const a = [...encodeCommand(c, "nonsync")];
        for (const m of muts) {
          const p = m.pos % (a.length + 1);
          if (m.op === "set" && p < a.length) a[p] = m.byte;
          else if (m.op === "insert") a.splice(p, 0, m.byte);
          else if (p < a.length) a.splice(p, 1);
        }
        run(Buffer.from(a), 7);
      }),
      { numRuns: 1500 },
    );
  });

  test("sub-rules on random text: only ParseError", () => {
    const rules = ["sequenceSet", "searchKey", "fetchAtt", "section", "mailbox", "dateTime", "flag"] as const;
    fc.assert(
      fc.property(fc.constantFrom(...rules), fc.string({ maxLength: 40 }), (rule, s) => {
        try {
          parseRule(rule, s);
        } catch (err) {
          if (!(err instanceof ParseError)) throw err;
        }
      }),
      { numRuns: 2000 },
    );
  });

  test("pathological nesting finishes quickly and fails cleanly", () => {
    const deep = "T1 SEARCH " + "(".repeat(3000) + "ALL" + ")".repeat(2999);
    const f = new Framer();
    f.push(Buffer.from(deep + "\r\n"));
    const e = f.next();
    expect(e?.kind).toBe("frame");
    if (e?.kind === "frame") expect(() => parseCommand(e.frame)).toThrow(/nested too deeply|Expected/);
    const ors = "T2 SEARCH " + "OR ".repeat(2000) + "ALL ".repeat(2000) + "ALL";
    f.push(Buffer.from(ors + "\r\n"));
    const e2 = f.next();
    if (e2?.kind === "frame") expect(() => parseCommand(e2.frame)).not.toThrow();
  });
});
