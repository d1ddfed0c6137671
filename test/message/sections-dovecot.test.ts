// BODY[section] bytes for every fixture and a generated sample equal Dovecot's answers.
import { readdirSync, readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { crlfChunks, indexMessage, partialPieces, resolveSection, type SectionData } from "../../src/message/index.js";
import { dovecotFetch } from "./dovecot-oracle.js";
import { message } from "./mime-gen.js";
import { MAIL_BEFORE } from "../fixtures/paths.js";

type Spec = { part: number[]; text?: "HEADER" | "HEADER.FIELDS" | "HEADER.FIELDS.NOT" | "TEXT" | "MIME"; fields?: string[] };
const SECTIONS: Array<[string, Spec, { offset: number; length: number }?]> = [
  ["", { part: [] }],
  ["HEADER", { part: [], text: "HEADER" }],
  ["TEXT", { part: [], text: "TEXT" }],
  ["HEADER.FIELDS (FROM SUBJECT)", { part: [], text: "HEADER.FIELDS", fields: ["from", "Subject"] }],
  ["HEADER.FIELDS.NOT (FROM SUBJECT)", { part: [], text: "HEADER.FIELDS.NOT", fields: ["From", "subject"] }],
  ["1", { part: [1] }],
  ["1.MIME", { part: [1], text: "MIME" }],
  ["2", { part: [2] }],
  ["2.MIME", { part: [2], text: "MIME" }],
  ["2.HEADER", { part: [2], text: "HEADER" }],
  ["2.TEXT", { part: [2], text: "TEXT" }],
  ["2.1", { part: [2, 1] }],
  ["3", { part: [3] }],
  ["3.1", { part: [3, 1] }],
  ["3.1.MIME", { part: [3, 1], text: "MIME" }],
  ["3.HEADER", { part: [3], text: "HEADER" }],
  ["4.2.2.1", { part: [4, 2, 2, 1] }],
  ["1", { part: [1] }, { offset: 3, length: 10 }],
];

function label(name: string, partial?: { offset: number; length: number }): string {
  return `BODY[${name}]${partial ? `<${partial.offset}>` : ""}`;
}

function bytesOf(data: Buffer, sec: SectionData, partial?: { offset: number; length: number }): string {
  const { size, plan } = partialPieces(sec, partial);
  const out: Buffer[] = [];
  for (const p of plan) {
    if ("bytes" in p.piece) out.push(p.piece.bytes.subarray(p.skip, p.skip + p.take));
    else out.push(...crlfChunks([data.subarray(p.piece.start, p.piece.end)], p.skip, p.take));
  }
  const b = Buffer.concat(out);
  expect(b.length).toBe(size);
  return b.toString("latin1");
}

function check(messages: Buffer[], names: string[]) {
  const items = SECTIONS.map(([n, , p]) => `BODY.PEEK[${n}]${p ? `<${p.offset}.${p.length}>` : ""}`).join(" ");
  const theirs = dovecotFetch(messages, items);
  const diffs: string[] = [];
  messages.forEach((m, i) => {
    const ix = indexMessage(m);
    for (const [name, spec, partial] of SECTIONS) {
      const sec = resolveSection(ix, spec, m);
      // a part that does not exist: Dovecot answers an empty string (or NIL); so will the engine
      const mine = sec === null ? "" : bytesOf(m, sec, partial);
      const dv = theirs[i][label(name, partial)] ?? "";
      if (mine !== dv) diffs.push(`${names[i]} ${label(name, partial)}: ours ${JSON.stringify(mine.slice(0, 200))} dovecot ${JSON.stringify(String(dv).slice(0, 200))}`);
    }
  });
  return diffs;
}

describe("sections against Dovecot", () => {
  it("fixtures: every section's bytes equal Dovecot's", () => {
    const BASE = MAIL_BEFORE;
    const files: string[] = [];
    for (const d of ["inbox", "one", "problems"]) {
      for (const f of readdirSync(`${BASE}/${d}`).filter((f) => /^\d+$/.test(f))) files.push(`${d}/${f}`);
    }
    const diffs = check(files.map((f) => readFileSync(`${BASE}/${f}`)), files);
    for (const d of diffs.slice(0, 10)) console.log(d);
    expect(diffs).toEqual([]);
  });

  it("generated messages: every section's bytes equal Dovecot's", () => {
    const messages = fc.sample(message, { numRuns: 200, seed: 99 });
    const diffs = check(messages, messages.map((_, i) => `gen#${i}`));
    for (const d of diffs.slice(0, 10)) console.log(d);
    expect(diffs).toEqual([]);
  });
});
