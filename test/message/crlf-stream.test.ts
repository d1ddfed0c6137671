// The streaming CRLF converter: same bytes whatever the chunking, partial windows honoured.
import { Readable } from "node:stream";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { crlfChunks, crlfSize, CrlfTransform } from "../../src/message/index.js";

/** The oracle, byte by byte: a LF not preceded by CR gets one. */
function oneShot(b: Buffer): Buffer {
  const out: number[] = [];
  b.forEach((c, i) => {
    if (c === 10 && (i === 0 || b[i - 1] !== 13)) out.push(13);
    out.push(c);
  });
  return Buffer.from(out);
}

describe("CRLF streaming", () => {
  it("crlfChunks equals the one-shot conversion for any chunking and window", () => {
    const text = fc.array(fc.constantFrom("a", "\n", "\r", "\r\n", "xyz", "\xff\x80\xe9", "\x00"), { maxLength: 60 }).map((a) => Buffer.from(a.join(""), "latin1"));
    fc.assert(
      fc.property(text, fc.integer({ min: 1, max: 7 }), fc.nat(80), fc.nat(80), (b, n, skip, take) => {
        const chunks: Buffer[] = [];
        for (let i = 0; i < b.length; i += n) chunks.push(b.subarray(i, i + n));
        const whole = oneShot(b);
        expect(whole.length).toBe(crlfSize(b));
        expect(Buffer.concat([...crlfChunks(chunks, skip, take)])).toEqual(whole.subarray(skip, skip + take));
      }),
      { numRuns: 1000 },
    );
  });

  it("mail without CR (as MH stores it), in chunks of any size, equals the oracle", () => {
    const text = fc.uint8Array({ maxLength: 400 }).map((a) => Buffer.from(a.filter((c) => c !== 13)));
    fc.assert(
      fc.property(text, fc.integer({ min: 1, max: 500 }), (b, n) => {
        const chunks: Buffer[] = [];
        for (let i = 0; i < b.length; i += n) chunks.push(b.subarray(i, i + n));
        expect(Buffer.concat([...crlfChunks(chunks)])).toEqual(oneShot(b));
      }),
      { numRuns: 1000 },
    );
  });

  it("CrlfTransform converts a stream with a partial window", async () => {
    const src = Readable.from([Buffer.from("ab\nc"), Buffer.from("\r"), Buffer.from("\nd\n")]);
    const out: Buffer[] = [];
    for await (const c of src.pipe(new CrlfTransform(1, 6))) out.push(c as Buffer);
    expect(Buffer.concat(out).toString()).toBe("b\r\nc\r\n");
  });
});
