// Differential check of two generated parser builds (a grammar restructuring or a plugin change
// must not change behaviour): every command of the bench mix and of the recorded traces (bad ones
// included), and many mutations of them, whole and through sub-rules, must give deep-equal ASTs
// or the same error (class, message, expectations, location) from both.
//   node dist/bench/parse/diff.js <old-parser.js> <new-parser.js> [mutations per line, default 40]
// A build without the plugin (`npx peggy --format es --allowed-start-rules '*' -o /tmp/plain.js
// grammar/imap.peggy`) is Peggy's own semantics: checking the plugin's output against it shows
// that the rewrites change nothing.

import { isDeepStrictEqual } from "node:util";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { decodeMailboxName } from "../../src/protocol/mutf7.js";
import { buildMix, traceDir } from "./mix.js";

type Parse = (text: string, options: Record<string, unknown>) => unknown;
const [oldPath, newPath, perLine = "40"] = process.argv.slice(2);
if (!oldPath || !newPath) {
  console.error("usage: node dist/bench/parse/diff.js <old-parser.js> <new-parser.js> [mutations per line]");
  process.exit(2);
}
const load = async (p: string) => ((await import(pathToFileURL(resolve(p)).href)) as { parse: Parse }).parse;
const [oldParse, newParse] = [await load(oldPath), await load(newPath)];

let seed = 12345;
const rnd = (n: number) => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed % n;
};
const ALPHABET = ' ()[]<>.*:,"\\{}+-~$%!0123456789aAbBcCdDeEfFhHiInNoOpPrRsStTuUxXzZ\x00\r\n\x7f\x80\xc3\xa9\xff\u0130\u212a';
function mutate(s: string): string {
  let t = s;
  for (let k = 1 + rnd(3); k > 0; k--) {
    const i = rnd(t.length + 1);
    const c = ALPHABET[rnd(ALPHABET.length)];
    switch (rnd(6)) {
      case 0: t = t.slice(0, i) + c + t.slice(i + 1); break;
      case 1: t = t.slice(0, i) + t.slice(i + 1); break;
      case 2: t = t.slice(0, i) + c + t.slice(i); break;
      case 3: t = t.slice(0, i); break;
      case 4: { const j = rnd(t.length + 1); t = t.slice(0, i) + t.slice(Math.min(i, j), Math.max(i, j)) + t.slice(i); break; }
      default: t = t.slice(0, i) + (rnd(2) ? t.slice(i).toLowerCase() : t.slice(i).toUpperCase());
    }
  }
  return t;
}

function outcome(parse: Parse, text: string, options: Record<string, unknown>): unknown {
  try {
    return { ok: parse(text, options) };
  } catch (e) {
    if (e instanceof RangeError) return { range: true };
    const x = e as { name?: string; message?: string; expected?: unknown; found?: unknown; location?: unknown };
    return { name: x.name, message: x.message, expected: x.expected, found: x.found, location: x.location };
  }
}

// inputs: command lines (literal markers in place) with their literals
const inputs: { text: string; literals: Buffer[] }[] = [];
for (const f of buildMix().frames) inputs.push({ text: f.line.toString("latin1"), literals: f.literals });
for (const d of [traceDir()]) {
  if (!d) continue;
  for (const sc of readdirSync(d)) {
    const f = join(d, sc, "wire.jsonl");
    if (!existsSync(f)) continue;
    for (const l of readFileSync(f, "utf8").split("\n")) {
      if (!l) continue;
      const r = JSON.parse(l) as { dir: string; data: string };
      if (r.dir !== "C") continue;
      for (const line of r.data.split("\r\n")) if (line) inputs.push({ text: line, literals: [] });
    }
  }
  break;
}
const distinct = [...new Map(inputs.map((i) => [i.text, i])).values()];

const RULES = ["sequenceSet", "searchKey", "searchKeys", "fetchAtt", "fetchAtts", "section", "sectionSpec", "mailbox",
  "dateTime", "searchDate", "astringRaw", "astringBuf", "flagList", "flag", "storeArgs", "fetchArgs", "searchArgs",
  "listMailbox", "statusItems", "quotedRaw", "literal", "atom", "partial", "commandBody", "tag"];
let checked = 0;
let failures = 0;
// parseCommand decodes bytes as latin1, so text above 0xFF reaches the parser only through
// parseRule in tests; differences there are counted apart (the latin1 ones must be none)
let beyondLatin1 = 0;
function check(text: string, literals: Buffer[], startRule?: string) {
  const opts = (): Record<string, unknown> => startRule === undefined
    ? { mailbox: decodeMailboxName, literals }
    : { mailbox: decodeMailboxName, literals, startRule };
  const a = outcome(oldParse, text, opts());
  const b = outcome(newParse, text, opts());
  checked++;
  if (!isDeepStrictEqual(a, b)) {
    if (/[^\x00-\xff]/.test(text)) beyondLatin1++;
    else failures++;
    if (failures + beyondLatin1 <= 10) console.error(`DIFF ${startRule ?? "command"} ${JSON.stringify(text)}\n  old ${JSON.stringify(a)}\n  new ${JSON.stringify(b)}`);
  }
}
for (const { text, literals } of distinct) {
  check(text, literals);
  for (let m = 0; m < Number(perLine); m++) {
    check(mutate(text), literals);
    // a piece of the line through a sub-rule
    const words = text.split(" ");
    const from = rnd(words.length);
    const piece = words.slice(from, from + 1 + rnd(4)).join(" ");
    check(rnd(2) ? piece : mutate(piece), literals, RULES[rnd(RULES.length)]);
  }
}
console.log(`${checked} inputs (${distinct.length} distinct lines), ${failures} differences on latin1 text, ${beyondLatin1} on text beyond latin1`);
process.exit(failures === 0 ? 0 : 1);
