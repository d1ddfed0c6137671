// The streaming CRLF converter (its byte work in C, src/native/crlf.c): same bytes as a byte-by-byte
// oracle whatever the chunking, partial windows honoured.
import { Readable } from "node:stream";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { crlfChunks, crlfSize, CrlfTransform } from "../../src/message/index.js";
import { nativeAddon } from "../../src/native/addon.js";

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

  it("crlfSize of any range equals the oracle's size of that range", () => {
    const text = fc.array(fc.constantFrom("a", "\n", "\r", "\r\n", "\n\n"), { maxLength: 40 }).map((a) => Buffer.from(a.join(""), "latin1"));
    fc.assert(
      fc.property(text, fc.nat(50), fc.nat(50), (b, x, y) => {
        const [s, e] = [Math.min(x, y, b.length), Math.min(Math.max(x, y), b.length)];
        expect(crlfSize(b, s, e)).toBe(oneShot(b.subarray(s, e)).length);
      }),
      { numRuns: 1000 },
    );
  });

  it("the C converter refuses what is not a Buffer, and returns a chunk needing nothing as itself", () => {
    expect(() => nativeAddon().toCrlf("a\n" as unknown as Buffer)).toThrow(/Buffer/);
    expect(() => nativeAddon().missingCrs(Buffer.from("a\n"), "x" as unknown as number)).toThrow(/prev/);
    const done = Buffer.from("a\r\nb");
    expect(nativeAddon().toCrlf(done)).toBe(done);
    expect(nativeAddon().toCrlf(Buffer.from("\nx"), 13)).toEqual(Buffer.from("\nx"));
    expect(nativeAddon().toCrlf(Buffer.from("\nx"), -1)).toEqual(Buffer.from("\r\nx"));
  });

  it("CrlfTransform converts a stream with a partial window", async () => {
    const src = Readable.from([Buffer.from("ab\nc"), Buffer.from("\r"), Buffer.from("\nd\n")]);
    const out: Buffer[] = [];
    for await (const c of src.pipe(new CrlfTransform(1, 6))) out.push(c as Buffer);
    expect(Buffer.concat(out).toString()).toBe("b\r\nc\r\n");
  });
});
