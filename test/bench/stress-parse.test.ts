// Reading imaptest's stress output (bench/imap/stress.ts): the totals and the error lines.
import { describe, expect, it } from "vitest";
import { parseImaptest } from "../../bench/imap/stress.js";

const OUT = `Logi List Stat Sele Fetc Fet2 Stor Dele Expu Appe Logo 
100%  50%  50% 100% 100% 100%  50% 100% 100% 100% 100% 
                          30%                  5%      
  48   27   23   46   44   58   20   25   48   26   49  10/ 10
Error: stress@127.0.0.1: STORE failed
 140   20   20   21   14   14   16   19   17   40    4 ms/cmd avg

Totals:
Logi List Stat Sele Fetc Fet2 Stor Dele Expu Appe Logo 
100%  50%  50% 100% 100% 100%  50% 100% 100% 100% 100% 
                          30%                  5%      
 185   94   90  184  182  242   80   90  182  119  194 
`;

describe("parseImaptest", () => {
  it("sums the totals line, not the per-second lines or the percentages, and keeps the errors", () => {
    const r = parseImaptest(OUT, 15, "x");
    expect(r.commands).toBe(185 + 94 + 90 + 184 + 182 + 242 + 80 + 90 + 182 + 119 + 194);
    expect(r.perSecond).toBeCloseTo(r.commands / 15);
    expect(r.errors).toEqual(["Error: stress@127.0.0.1: STORE failed"]);
  });
  it("no totals (imaptest died): zero commands", () => {
    expect(parseImaptest("Error: connect failed\n", 15, "x")).toMatchObject({ commands: 0, errors: ["Error: connect failed"] });
  });
});
