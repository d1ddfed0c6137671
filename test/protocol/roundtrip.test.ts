// Property: any Command, written as a client would write it, frames and parses back equal.
import { describe, expect, test } from "vitest";
import fc from "fast-check";
import { command } from "./arbitraries.js";
import { encodeCommand, type LiteralStyle } from "./client-encoder.js";
import { parseBytes } from "./helpers.js";

const style = fc.constantFrom<LiteralStyle>("auto", "auto", "sync", "nonsync");
const zone = fc.integer({ min: -720, max: 840 });
const chunks = fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 5 });

describe("round trip: Command -> client bytes -> framer -> parser", () => {
  test("every command kind parses back equal", () => {
    fc.assert(
      fc.property(command, style, zone, chunks, (c, s, z, ch) => {
        const bytes = encodeCommand(c, s, z);
        expect(parseBytes(bytes, ch)).toEqual(c);
      }),
      { numRuns: 3000 },
    );
  });
});
