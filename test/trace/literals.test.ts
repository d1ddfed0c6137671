import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ResponseFramer, frameAll } from "../../src/trace/replay/response-splitter.js";
import { splitCommand } from "../../src/trace/replay/literals.js";

const parts = (cmd: string) => splitCommand(cmd).map((p) => [p.bytes.toString("latin1"), p.awaitContinuation]);

describe("splitting recorded commands into what a client sends", () => {
  it("a command without literals is one line", () => {
    expect(parts("A1 NOOP")).toEqual([["A1 NOOP\r\n", false]]);
  });

  it("a synchronising literal waits for the continuation", () => {
    expect(parts("A1 APPEND INBOX {5}\r\nhello")).toEqual([
      ["A1 APPEND INBOX {5}\r\n", false],
      ["hello\r\n", true],
    ]);
  });

  it("a non-synchronising literal does not", () => {
    expect(parts("A1 APPEND INBOX {5+}\r\nhello")).toEqual([["A1 APPEND INBOX {5+}\r\n", false], ["hello\r\n", false]]);
  });

  it("literal data that looks like a literal announcement is data", () => {
    expect(parts('A1 LOGIN {7}\r\nab{2}\r\n {3}\r\nxyz')).toEqual([
      ["A1 LOGIN {7}\r\n", false],
      ["ab{2}\r\n {3}\r\n", true],
      ["xyz\r\n", true],
    ]);
  });

  it("several literals and text after them", () => {
    expect(parts("A1 LOGIN {1}\r\na {1+}\r\nb")).toEqual([
      ["A1 LOGIN {1}\r\n", false],
      ["a {1+}\r\n", true],
      ["b\r\n", false],
    ]);
  });

  it("sends exactly the recorded bytes plus the final CRLF (property)", () => {
    const piece = fc.oneof(
      fc.string({ unit: fc.constantFrom("a", " ", "{", "}", "1", "+", "\r", "\n", "\xe9") , maxLength: 12 }),
      fc.tuple(fc.string({ maxLength: 6 }), fc.boolean()).map(([d, plus]) => `{${d.length}${plus ? "+" : ""}}\r\n${d}`),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 6 }), (pieces) => {
        const cmd = "T1 X " + pieces.join("");
        const sent = Buffer.concat(splitCommand(cmd).map((p) => p.bytes)).toString("latin1");
        expect(sent).toBe(cmd + "\r\n");
      }),
      { numRuns: 1000 },
    );
  });
});

describe("framing server responses", () => {
  it("keeps a literal inside its response, across chunk boundaries", () => {
    const f = new ResponseFramer();
    expect(f.push(Buffer.from("* 1 FETCH (BODY[] {7}\r\nab\r"))).toEqual([]);
    expect(f.push(Buffer.from("\ncd\r\n)\r\n* 2 EXISTS\r\n"))).toEqual(["* 1 FETCH (BODY[] {7}\r\nab\r\ncd\r\n)", "* 2 EXISTS"]);
    expect(f.pending).toBe(false);
  });

  it("keeps a response without CRLF at the end", () => {
    expect(frameAll(Buffer.from("A1 OK x\r\nE4.4 BAD timed out"))).toEqual(["A1 OK x", "E4.4 BAD timed out"]);
  });

  it("frames the same whatever the chunking (property)", () => {
    const stream = "* 1 FETCH (BODY[] {5}\r\n{2}\r\n)\r\n* 2 FETCH (X ~{3}\r\na\r\n)\r\nA1 OK done\r\n";
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: stream.length - 1 }), { maxLength: 5 }), (cuts) => {
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        const f = new ResponseFramer();
        const out: string[] = [];
        let prev = 0;
        for (const p of [...points, stream.length]) {
          out.push(...f.push(Buffer.from(stream.slice(prev, p), "latin1")));
          prev = p;
        }
        expect(out).toEqual(["* 1 FETCH (BODY[] {5}\r\n{2}\r\n)", "* 2 FETCH (X ~{3}\r\na\r\n)", "A1 OK done"]);
      }),
      { numRuns: 1000 },
    );
  });
});
