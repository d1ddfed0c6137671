// Every fixture message: our ENVELOPE, BODYSTRUCTURE, BODY and RFC822.SIZE equal Dovecot's.
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compareWithDovecot } from "./compare.js";
import { MAIL_BEFORE } from "../fixtures/paths.js";

const BASE = MAIL_BEFORE;
const files: string[] = [];
for (const d of ["inbox", "one", "problems"]) {
  const names = readdirSync(`${BASE}/${d}`).filter((f) => /^\d+$/.test(f));
  for (const f of names.sort((a, b) => Number(a) - Number(b))) files.push(`${d}/${f}`);
}

describe("fixtures against Dovecot", () => {
  it("finds the fixtures", () => {
    expect(files.length).toBeGreaterThanOrEqual(35);
  });

  it("answers ENVELOPE, BODYSTRUCTURE, BODY and RFC822.SIZE as Dovecot does", () => {
    const messages = files.map((f) => readFileSync(`${BASE}/${f}`));
    const diffs = compareWithDovecot(messages).map((d) => ({ ...d, file: files[d.message] }));
    for (const d of diffs) console.log(d.file, d.item, "\n ours   ", JSON.stringify(d.ours), "\n dovecot", JSON.stringify(d.dovecot));
    expect(diffs.map((d) => `${d.file} ${d.item}`)).toEqual([]);
  });
});
