// The parser we ship (src/gen/imap-parser.js) is Peggy's output rewritten for speed by
// grammar/peggy-hoist.mjs. The rewrites must change nothing: on every client line of the recorded
// traces, and on random mutations of them, whole and through sub-rules, it gives the same AST or
// the same error (message, expectations, location) as the grammar compiled by Peggy alone.
import { beforeAll, describe, expect, test } from "vitest";
import fc from "fast-check";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import peggy from "peggy";
import { parse as shipped } from "../../src/gen/imap-parser.js";
import { decodeMailboxName } from "../../src/protocol/mutf7.js";
import { OLD_TRACES } from "../fixtures/paths.js";

type Parse = (text: string, options: Record<string, unknown>) => unknown;
let plain: Parse;

beforeAll(async () => {
  const grammar = readFileSync(fileURLToPath(new URL("../../grammar/imap.peggy", import.meta.url)), "utf8");
  const source = peggy.generate(grammar, { output: "source", format: "es", allowedStartRules: ["*"] });
  const dir = mkdtempSync(join(tmpdir(), "asimap-plain-parser-"));
  try {
    const file = join(dir, "plain.mjs");
    writeFileSync(file, source);
    plain = ((await import(pathToFileURL(file).href)) as { parse: Parse }).parse;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);

function outcome(parse: Parse, text: string, startRule?: string): unknown {
  const options: Record<string, unknown> = startRule === undefined
    ? { mailbox: decodeMailboxName, literals: [] }
    : { mailbox: decodeMailboxName, literals: [], startRule };
  try {
    return { ok: parse(text, options) };
  } catch (e) {
    if (e instanceof RangeError) return { tooDeep: true };
    const x = e as { name?: string; message?: string; expected?: unknown; found?: unknown; location?: unknown };
    return { name: x.name, message: x.message, expected: x.expected, found: x.found, location: x.location };
  }
}

/** every client line of the recorded sessions (literal bytes left out: they are not parsed) */
function traceLines(): string[] {
  const lines = new Set<string>();
  for (const sc of readdirSync(OLD_TRACES)) {
    const f = join(OLD_TRACES, sc, "wire.jsonl");
    if (!existsSync(f)) continue;
    for (const l of readFileSync(f, "utf8").split("\n")) {
      if (!l) continue;
      const r = JSON.parse(l) as { dir: string; data: string };
      if (r.dir === "C") for (const line of r.data.split("\r\n")) if (line) lines.add(line);
    }
  }
  return [...lines];
}

const LINES = traceLines().concat([
  "a2 UID FETCH 4821:4890 (UID RFC822.SIZE FLAGS BODY.PEEK[HEADER.FIELDS (From To Cc Subject Date Message-ID)])",
  "a11 UID FETCH 4890 (BODY.PEEK[1.2]<0.2048> BINARY.PEEK[2] BODY.PEEK[1.MIME])",
  "a5 UID STORE 4881,4883:4885 +FLAGS.SILENT (\\Seen)",
  "a8 uid search or from alice subject \"quarterly report\" not deleted since 1-Mar-2024",
  "a9 UID FETCH 1:* (FLAGS) (CHANGEDSINCE 12345 VANISHED)",
]);
const RULES = ["sequenceSet", "searchKey", "searchKeys", "fetchAtt", "fetchAtts", "section", "mailbox", "dateTime",
  "astringRaw", "flagList", "storeArgs", "fetchArgs", "searchArgs", "statusItems", "quotedRaw", "atom", "commandBody"];
const CHARS = ' ()[]<>.*:,"\\{}+-~$%0123456789aAbBcCdDeEfFhHiInNoOpPrRsStTuUxXkK\x00\r\n\x7f\x80\xe9\xff\u0130\u212a'.split("");

/** a line with a few characters replaced, inserted or deleted, or cut short */
const mutated = fc
  .tuple(
    fc.constantFrom(...LINES),
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 3 }), fc.constantFrom(...CHARS)), { minLength: 1, maxLength: 3 }),
  )
  .map(([line, edits]) => {
    let t = line;
    for (const [at, op, c] of edits) {
      const i = at % (t.length + 1);
      if (op === 0) t = t.slice(0, i) + c + t.slice(i + 1);
      else if (op === 1) t = t.slice(0, i) + c + t.slice(i);
      else if (op === 2) t = t.slice(0, i) + t.slice(i + 1);
      else t = t.slice(0, i);
    }
    return t;
  });

describe("the plugin's rewrites of the generated parser", () => {
  test("every trace line: same AST or same error as Peggy alone", () => {
    expect(LINES.length).toBeGreaterThan(150);
    for (const line of LINES) expect(outcome(shipped, line), line).toStrictEqual(outcome(plain, line));
  });

  test("mutated lines, whole commands: same outcome", () => {
    fc.assert(fc.property(mutated, (t) => {
      expect(outcome(shipped, t)).toStrictEqual(outcome(plain, t));
    }), { numRuns: 2000 });
  });

  test("pieces of lines through sub-rules: same outcome", () => {
    fc.assert(fc.property(mutated, fc.nat(), fc.constantFrom(...RULES), (t, from, rule) => {
      const words = t.split(" ");
      const piece = words.slice(from % words.length).join(" ");
      expect(outcome(shipped, piece, rule)).toStrictEqual(outcome(plain, piece, rule));
    }), { numRuns: 2000 });
  });
});
