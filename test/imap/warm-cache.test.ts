// The warm path of FETCH and SEARCH answers from values kept in the message cache (HEADER.FIELDS
// bytes per field list, SEARCH's decoded field values per name) and prepares cached messages
// synchronously. Its answers must be the bytes the cold path gives, and each field list or
// field name must get its own value (a key that mixed them up would answer the wrong lines).
import { describe, expect, it } from "vitest";
import { headerFields } from "../../src/message/section.js";
import { headerFields as searchFields } from "../../src/imap/search/header-values.js";
import { messageCache } from "../../src/imap/message-cache.js";
import { useServer } from "./setup.js";

const t = useServer();

/** The literal of `label` in one FETCH response line. */
function literal(line: string, label: string): string {
  const at = line.indexOf(`${label} {`);
  if (at < 0) throw new Error(`no ${label} in ${line.slice(0, 200)}`);
  const open = at + label.length + 1;
  const close = line.indexOf("}\r\n", open);
  const n = Number(line.slice(open + 1, close));
  return line.slice(close + 3, close + 3 + n);
}

const FOLDERS = ["INBOX", "one", "problems"];
// a quoted name with a space is one (never matching) name, not the two fields From and To
// (asked, echoed, names, NOT)
const LISTS: Array<[string, string, string[], boolean]> = [
  ["HEADER.FIELDS (From To Subject Date)", "HEADER.FIELDS (From To Subject Date)", ["from", "to", "subject", "date"], false],
  ["HEADER.FIELDS (FROM)", "HEADER.FIELDS (FROM)", ["from"], false],
  ["HEADER.FIELDS.NOT (From To Subject Date)", "HEADER.FIELDS.NOT (From To Subject Date)", ["from", "to", "subject", "date"], true],
  ['HEADER.FIELDS ("From To")', "HEADER.FIELDS (\"From To\")", ["from to"], false],
];

describe("warm FETCH and SEARCH", () => {
  it("HEADER.FIELDS: each field list answers its own lines, the same cold and warm", async () => {
    for (const folder of FOLDERS) {
      await t.c.cmd(`SELECT ${folder}`);
      const atts = LISTS.map(([l]) => `BODY.PEEK[${l}]`).join(" ");
      messageCache.clear();
      const cold = await t.c.cmd(`FETCH 1:* (BODY.PEEK[HEADER] ${atts} ENVELOPE)`);
      expect(cold.tagged).toMatch(/OK/);
      expect(cold.untagged.length).toBeGreaterThan(0);
      // warm twice: the second pass also finds the ENVELOPE and every list already made
      const warm = await t.c.cmd(`FETCH 1:* (BODY.PEEK[HEADER] ${atts} ENVELOPE)`);
      const again = await t.c.cmd(`FETCH 1:* (${atts})`);
      expect(warm.untagged).toEqual(cold.untagged);
      for (const [i, line] of cold.untagged.entries()) {
        const head = Buffer.from(literal(line, "BODY[HEADER]"), "latin1");
        for (const [, label, names, not] of LISTS) {
          const want = headerFields(head, 0, head.length, names, not).toString("latin1");
          expect(literal(line, `BODY[${label}]`)).toBe(want);
          expect(literal(again.untagged[i], `BODY[${label}]`)).toBe(want);
        }
      }
    }
  });

  it("SEARCH FROM/TO/SUBJECT/HEADER: the same answer cold and warm, per field name", async () => {
    await t.c.cmd("SELECT INBOX");
    const fetched = await t.c.cmd("FETCH 1:* BODY.PEEK[HEADER]");
    const heads = fetched.untagged.map((l) => Buffer.from(literal(l, "BODY[HEADER]"), "latin1"));
    // needles cut from the messages' own values, upper-cased to test case folding
    const needles = new Set<string>();
    for (const h of heads) {
      for (const f of searchFields(h)) {
        if (["from", "to", "subject"].includes(f.name) && /^[\x20-\x7e]+$/.test(f.value) && f.value.length > 6) {
          needles.add(f.value.slice(2, 6).toUpperCase());
        }
      }
    }
    expect(needles.size).toBeGreaterThan(2);
    for (const needle of needles) {
      for (const key of ["FROM", "TO", "SUBJECT"]) {
        const expected = heads.flatMap((h, i) =>
          searchFields(h, key.toLowerCase()).some((f) => f.value.toLowerCase().includes(needle.toLowerCase()))
            ? [i + 1] : []);
        const line = expected.length ? `* SEARCH ${expected.join(" ")}` : "* SEARCH";
        messageCache.clear();
        const cold = await t.c.cmd(`SEARCH ${key} "${needle}"`);
        const warm = await t.c.cmd(`SEARCH ${key} "${needle}"`);
        expect(cold.untagged).toEqual([line]);
        expect(warm.untagged).toEqual([line]);
      }
    }
    // an empty HEADER value matches every message having the field, and only those
    const withCc = heads.flatMap((h, i) => (searchFields(h, "cc").length ? [i + 1] : []));
    for (let k = 0; k < 2; k++) {
      const r = await t.c.cmd('SEARCH HEADER "Cc" ""');
      expect(r.untagged).toEqual([withCc.length ? `* SEARCH ${withCc.join(" ")}` : "* SEARCH"]);
    }
  });
});
