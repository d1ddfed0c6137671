// What the full-text index can tell a SEARCH: each needle key becomes an FTS5 phrase query of
// the whole needle in the key's columns (trigram tokenizer, positions kept: a phrase match is a
// substring match), combined as the keys are (AND: intersection, OR: union). Whatever the index
// cannot answer (NOT, flags, dates, a needle shorter than three characters) narrows nothing.
// For most needle keys the phrase match is the matcher's answer itself (see `exact`): those
// keys need no look at the message; the others (HEADER, a needle with a newline) only narrow.
import type { SearchKey } from "../../protocol/ast.js";
import type { Column } from "./fts-document.js";

/** Row ids (inodes) that may match, or null: any message may. */
export type Narrowed = Set<number> | null;

/** What the index says of a SEARCH's keys, over the rows it holds. */
export interface IndexAnswer {
  /** the rows that may match every key of the SEARCH; null: any may */
  rows: Narrowed;
  /** keys whose rows are exactly the rows that match them (a row not in it does not) */
  exact: Map<SearchKey, Set<number>>;
}

const COLUMN_OF: Partial<Record<SearchKey["kind"], Column[]>> = {
  TEXT: ["body", "head"], BODY: ["body"], SUBJECT: ["subject"], HEADER: ["hdr"],
  FROM: ["from"], TO: ["to"], CC: ["cc"], BCC: ["bcc"],
};

/**
 * Keys whose columns hold exactly the strings the matcher looks in, joined by "\n": a needle
 * without a newline is in the column iff it is in one of them. HEADER's column holds every
 * field, so it only narrows.
 */
const EXACT = new Set<SearchKey["kind"]>(["TEXT", "BODY", "SUBJECT", "FROM", "TO", "CC", "BCC"]);

interface KeyQuery { query: string; exact: boolean }

/** The FTS5 query for a needle key, or null when the index cannot answer it. */
export function keyQuery(key: SearchKey): KeyQuery | null {
  const cols = COLUMN_OF[key.kind];
  if (!cols || !("value" in key)) return null;
  // lower-cased exactly as the matcher does it; the index holds lower-cased text
  const needle = key.value.toString("utf8").toLowerCase();
  // the index holds U+FFFD for NUL (fts-document.ts), and SQLite's tokenizer reads lone
  // surrogates, U+FFFE and U+FFFF as U+FFFD: a needle with any of them is the matcher's
  if (/[\0\ufffd\ufffe\uffff]/.test(needle)) return null;
  if ([...needle].length < 3) return null; // no trigram: the tokenizer would match nothing
  const phrase = `"${needle.replace(/"/g, '""')}"`;
  return { query: `{${cols.map((c) => `"${c}"`).join(" ")}} : ${phrase}`, exact: EXACT.has(key.kind) && !needle.includes("\n") };
}

/** Whether the index can tell a SEARCH with these keys anything. */
export function answerable(keys: SearchKey[]): boolean {
  const a = answer(keys, () => new Set());
  return a.rows !== null || a.exact.size > 0;
}

/** What the index says of `keys` (a SEARCH's top level is an AND); `match` runs one query. */
export function answer(keys: SearchKey[], match: (query: string) => Set<number>): IndexAnswer {
  const exact = new Map<SearchKey, Set<number>>();
  const rowsOf = (key: SearchKey): Narrowed => {
    const q = keyQuery(key);
    if (q === null) return null;
    const rows = match(q.query);
    if (q.exact) exact.set(key, rows);
    return rows;
  };
  return { rows: narrowAnd(keys, rowsOf), exact };
}

/** Deeper than this (OR chains, nested lists) the index tells nothing: the matcher answers. */
const MAX_DEPTH = 200;

function narrowAnd(keys: SearchKey[], rowsOf: (k: SearchKey) => Narrowed, depth = 0): Narrowed {
  let out: Narrowed = null;
  for (const k of keys) {
    const n = narrowKey(k, rowsOf, depth);
    if (n === null) continue;
    out = out === null ? n : intersect(out, n); // (row sets are shared with `exact`: never changed)
  }
  return out;
}

// NOT is not looked into: the keys under it are always the matcher's (the property test's
// NOT NOT is the scan it compares with)
function narrowKey(key: SearchKey, rowsOf: (k: SearchKey) => Narrowed, depth: number): Narrowed {
  if (depth > MAX_DEPTH) return null; // 5,000 nested ORs overflowed the stack here
  switch (key.kind) {
    case "AND": return narrowAnd(key.keys, rowsOf, depth + 1);
    case "OR": {
      const a = narrowKey(key.left, rowsOf, depth + 1);
      const b = narrowKey(key.right, rowsOf, depth + 1); // (its exact rows are worth having either way)
      if (a === null || b === null) return null;
      const out = new Set(a);
      for (const x of b) out.add(x);
      return out;
    }
    default: return rowsOf(key);
  }
}

function intersect(a: Set<number>, b: Set<number>): Set<number> {
  const [small, big] = a.size <= b.size ? [a, b] : [b, a];
  const out = new Set<number>();
  for (const x of small) if (big.has(x)) out.add(x);
  return out;
}
