// The FETCH response writer: the bytes it writes for each kind of item, literals given or
// streamed, literal8 only for data with NUL, and a literal that got more or fewer bytes than it
// announced is refused before the next item.
import { describe, expect, it } from "vitest";
import { FetchResponseWriter, LiteralLengthError } from "../../src/protocol/fetch-response.js";
import { binarySectionName, bodySectionName } from "../../src/protocol/fetch-item-names.js";

function collecting() {
  const writes: Buffer[] = [];
  const w = new FetchResponseWriter(async (b) => { writes.push(b); });
  return { w, text: () => Buffer.concat(writes).toString("latin1"), writes };
}

async function* chunks(...parts: string[]): AsyncGenerator<Buffer> {
  for (const p of parts) yield Buffer.from(p, "latin1");
}

describe("FetchResponseWriter", () => {
  it("writes items separated by one space, inside `* n FETCH (...)`", async () => {
    const { w, text } = collecting();
    w.begin(7);
    w.number("UID", 42);
    w.encoded("FLAGS", "(\\Seen)");
    w.numberList("MODSEQ", 9);
    w.nil("BODY[2]");
    w.end();
    w.begin(8);
    w.end();
    await w.flush();
    expect(text()).toBe("* 7 FETCH (UID 42 FLAGS (\\Seen) MODSEQ (9) BODY[2] NIL)\r\n* 8 FETCH ()\r\n");
  });

  it("writes literals given and streamed, and literal8 only when the bytes hold NUL", async () => {
    const { w, text } = collecting();
    w.begin(1);
    w.literal("BODY[]", 13);
    w.bytes(Buffer.from("head\r\n"));
    await w.stream(chunks("bo", "dy\r\n"));
    w.bytes(Buffer.from("!"));
    w.binaryLiteral("BINARY[1]", Buffer.from("a\0b", "latin1"));
    w.binaryLiteral("BINARY[2]", Buffer.from("ab"));
    w.end();
    await w.flush();
    expect(text()).toBe("* 1 FETCH (BODY[] {13}\r\nhead\r\nbody\r\n! BINARY[1] ~{3}\r\na\0b BINARY[2] {2}\r\nab)\r\n");
  });

  it("writes what was gathered before a streamed literal's first chunk, and each chunk as it comes", async () => {
    const { w, writes } = collecting();
    w.begin(1);
    w.literal("BODY[]", 4);
    await w.stream(chunks("ab", "cd"));
    expect(writes.map((b) => b.toString("latin1"))).toEqual(["* 1 FETCH (BODY[] {4}\r\n", "ab", "cd"]);
  });

  it("refuses a literal that got fewer or more bytes than announced", () => {
    const { w } = collecting();
    w.begin(1);
    w.literal("BODY[]", 5);
    w.bytes(Buffer.from("abc"));
    expect(() => w.end()).toThrow(LiteralLengthError);
    w.begin(2);
    w.literal("BODY[]", 1);
    w.bytes(Buffer.from("ab"));
    expect(() => w.number("UID", 1)).toThrow(/sent 2 bytes of a 1-byte literal/);
  });

  it("gathers small responses into writes of about 64 KB", async () => {
    const { w, writes } = collecting();
    for (let i = 1; i <= 5000; i++) {
      w.begin(i);
      w.number("UID", i);
      w.end();
      if (w.full) await w.flush();
    }
    await w.flush();
    expect(writes.length).toBeGreaterThan(1);
    expect(writes.length).toBeLessThan(5);
    expect(Buffer.concat(writes).toString("latin1").split("\r\n").length).toBe(5001);
  });
});

describe("FETCH item names", () => {
  it("echo the section, field names as astrings, and a partial's origin only", () => {
    expect(bodySectionName({ part: [] })).toBe("BODY[]");
    expect(bodySectionName({ part: [1, 2], text: "MIME" }, { offset: 5 })).toBe("BODY[1.2.MIME]<5>");
    expect(bodySectionName({ part: [], text: "HEADER.FIELDS", fields: ["From", "From To"] }))
      .toBe('BODY[HEADER.FIELDS (From "From To")]');
    expect(binarySectionName("BINARY", [3], { offset: 0 })).toBe("BINARY[3]<0>");
    expect(binarySectionName("BINARY.SIZE", [])).toBe("BINARY.SIZE[]");
  });
});
