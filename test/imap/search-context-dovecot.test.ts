// SEARCH's UPDATE contexts (RFC 5267) as Dovecot answers them, on the same messages and the same
// commands. Dovecot reads the commands pipelined and may send an update a command later than we
// do (we send each with the change), so what is compared is what the updates say: each
// context's result after its initial answer, every ADDTO/REMOVEFROM and the EXPUNGEs (a
// REMOVEFROM of an expunged message always before its EXPUNGE). Dovecot does not offer CONTEXT=SORT: SORT's
// positions are tested against the RFC in search-context.test.ts.
import { describe, expect, it } from "vitest";
import { expandSet, open } from "./search-oracle.js";
import { dovecotRun } from "../sync/dovecot.js";
import { generated } from "../sync/corpus.js";

const CONTEXTS = [
  "SEARCH RETURN (UPDATE ALL) KEYWORD k",
  "UID SEARCH RETURN (UPDATE ALL) OR KEYWORD k FLAGGED",
  "SEARCH RETURN (UPDATE ALL) 2:6 KEYWORD k",
];
const CHANGES = ["STORE 3:4,7 +FLAGS (k)", "STORE 1 +FLAGS.SILENT (\\Flagged)", "STORE 7:8 +FLAGS (k)",
  "STORE 3 -FLAGS (k)", "STORE 2 +FLAGS (k)", "STORE 4,8 +FLAGS.SILENT (\\Deleted)", "NOOP"];
const COMMANDS = [...CONTEXTS, ...CHANGES, "EXPUNGE", "NOOP"];

/** ESEARCH with the index of the command whose tag it carries, and EXPUNGE lines. */
const PICK = /^\* (ESEARCH|\d+ EXPUNGE)/;

/** Each context's result as its answers and updates (position 0: mailbox order) leave it; an
 *  EXPUNGE renumbers the sequence-number contexts. */
function results(lines: string[], tagIndex: (tag: string) => number): Record<number, number[]> {
  const out: Record<number, { uid: boolean; set: Set<number> }> = {};
  for (const l of lines) {
    const x = /^\* (\d+) EXPUNGE/.exec(l);
    if (x) {
      const n = Number(x[1]);
      for (const c of Object.values(out)) {
        if (c.uid) continue;
        expect(c.set.has(n), `${l}: its REMOVEFROM came first`).toBe(false);
        c.set = new Set([...c.set].map((m) => (m > n ? m - 1 : m)));
      }
      continue;
    }
    const m = /^\* ESEARCH \(TAG "([^"]+)"\)( UID)?(.*)$/.exec(l.trimEnd())!;
    const c = (out[tagIndex(m[1])] ??= { uid: m[2] !== undefined, set: new Set() });
    for (const [, item, body] of m[3].matchAll(/ (ALL|ADDTO|REMOVEFROM) (\([^)]*\)|\S+)/g)) {
      if (item === "ALL") { for (const n of expandSet(body)) c.set.add(n); continue; }
      const words = body.slice(1, -1).split(" ");
      for (let i = 0; i < words.length; i += 2) {
        expect(words[i], l).toBe("0");
        for (const n of expandSet(words[i + 1])) item === "ADDTO" ? c.set.add(n) : c.set.delete(n);
      }
    }
  }
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, [...v.set].sort((a, b) => a - b)]));
}

describe("UPDATE contexts as Dovecot answers them", () => {
  for (const seed of [1, 2]) {
    it(`generated messages, seed ${seed}`, async () => {
      const messages = generated(seed, 12);
      const theirs = dovecotRun(messages, COMMANDS, (l) => PICK.test(l));
      const s = await open(messages);
      const mine: string[] = [];
      try {
        for (const cmd of COMMANDS) {
          const r = await s.c.cmd(cmd);
          expect(r.tagged, cmd).toMatch(/^T\d+ OK/);
          mine.push(...r.untagged.filter((l) => PICK.test(l)));
        }
      } finally {
        await s.close();
      }
      // our tags: T1 is the SELECT, command i is T(i + 2); Dovecot's are c0, c1, ...
      const ours = (t: string) => Number(t.slice(1)) - 2;
      const dovecots = (t: string) => Number(t.slice(1));
      const mineNow = results(mine, ours);
      expect(Object.keys(mineNow)).toHaveLength(CONTEXTS.length);
      expect(mineNow).toEqual(results(theirs, dovecots));
      // the same EXPUNGEs, and updates beyond the initial answers
      expect(mine.filter((l) => /EXPUNGE/.test(l))).toEqual(theirs.filter((l) => /EXPUNGE/.test(l)));
      expect(mine.filter((l) => /ADDTO|REMOVEFROM/.test(l)).length).toBeGreaterThan(CONTEXTS.length);
    });
  }
});
