import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  formatList, formatSequences, parseSequences, SequencesFormatError, type Sequences,
} from "../../src/mh/sequences.js";

const name = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_$-]{0,11}$/);
const nums = fc.array(fc.integer({ min: 1, max: 3000 }), { maxLength: 200 });
const sequences = fc.uniqueArray(fc.tuple(name, nums), { selector: (t) => t[0], maxLength: 8 })
  .map((entries) => new Map(entries.map(([n, xs]) => [n, new Set(xs)])) as Sequences);

const nonEmpty = (s: Sequences) => new Map([...s].filter(([, v]) => v.size > 0));
const plain = (s: Sequences) => [...s].map(([k, v]) => [k, [...v].sort((a, b) => a - b)]);

describe(".mh_sequences format", () => {
  it("parse(format(s)) == s, and format is a fixed point (1000 runs)", () => {
    fc.assert(
      fc.property(sequences, (s) => {
        const text = formatSequences(s);
        const back = parseSequences(text);
        expect(plain(back)).toEqual(plain(nonEmpty(s)));
        expect(formatSequences(back)).toBe(text);
      }),
      { numRuns: 1000 },
    );
  });

  it("reads continuation lines and any spacing nmh accepts (1000 runs)", () => {
    fc.assert(
      fc.property(sequences, fc.integer({ min: 1, max: 5 }), (s, width) => {
        // fold every list after `width` items, as an editor or another MH might
        let text = "";
        for (const [n, set] of nonEmpty(s)) {
          const items = formatList(set).split(" ");
          text += `${n}:`;
          items.forEach((it, i) => (text += i > 0 && i % width === 0 ? `\n\t${it}` : ` ${it}`));
          text += "\n";
        }
        expect(plain(parseSequences(text))).toEqual(plain(nonEmpty(s)));
      }),
      { numRuns: 1000 },
    );
  });

  it("compacts runs like nmh", () => {
    expect(formatList([7, 1, 2, 3, 9, 10])).toBe("1-3 7 9-10");
    expect(formatList([5])).toBe("5");
  });

  it("refuses what nmh calls poorly formatted", () => {
    for (const bad of ["foo 1 2\n", "bogus line\n", "foo: 1 x\n", "foo: 3-1\n", ": 1\n", "foo: 0\n"]) {
      expect(() => parseSequences(bad), bad).toThrow(SequencesFormatError);
    }
  });

  it("writes what nmh's mark writes, long sequences included, and nmh reads ours", () => {
    const home = mkdtempSync(join(tmpdir(), "asimap-mh-"));
    try {
      const dir = join(home, "Mail", "inbox");
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(home, ".mh_profile"), "Path: Mail\n");
      for (let i = 1; i <= 2000; i++) writeFileSync(join(dir, String(i)), `Subject: ${i}\n\nx\n`);
      const env = { ...process.env, HOME: home, MH: join(home, ".mh_profile") };
      const mark = (...a: string[]) => execFileSync("/usr/bin/mh/mark", ["+inbox", ...a], { env, encoding: "utf8" });
      const odd = Array.from({ length: 1000 }, (_, i) => String(2 * i + 1));
      mark("-sequence", "odd", "-add", ...odd);
      mark("-sequence", "run", "-add", "1-3", "7", "10-2000");
      const nmhText = readFileSync(join(dir, ".mh_sequences"), "utf8");
      const ours = formatSequences(parseSequences(nmhText));
      expect(ours).toBe(nmhText); // byte for byte, one unfolded line however long
      expect(nmhText.split("\n")[0].length).toBeGreaterThan(4000);
      writeFileSync(join(dir, ".mh_sequences"), ours);
      expect(mark("-list", "-sequence", "run").trim()).toBe("run: 1-3 7 10-2000");
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
