// A generated corpus (random MIME trees) compared with Dovecot in one batch.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compareWithDovecot } from "./compare.js";
import { message } from "./mime-gen.js";

describe("generated messages against Dovecot", () => {
  it("gives Dovecot's ENVELOPE, BODYSTRUCTURE, BODY and RFC822.SIZE for 400 random messages", () => {
    const messages = fc.sample(message, { numRuns: 400, seed: 4242 });
    const diffs = compareWithDovecot(messages);
    for (const d of diffs.slice(0, 5)) {
      console.log(`--- message ${d.message} ${d.item}\n${messages[d.message].toString("latin1")}\n ours    ${JSON.stringify(d.ours)}\n dovecot ${JSON.stringify(d.dovecot)}`);
    }
    expect(diffs.length).toBe(0);
  });
});
