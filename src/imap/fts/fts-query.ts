// Which messages a SEARCH may match, as the full-text index can tell: the keys become FTS5
// queries (each needle as trigrams that must all be in the key's column), combined as the keys
// are (AND: intersection, OR: union); whatever the index cannot answer (NOT, flags, dates, a
// needle shorter than three characters) narrows nothing. The result is a superset: every
// message in it is still checked by the matcher.
import type { SearchKey } from "../../protocol/ast.js";
import type { Column } from "./fts-document.js";

/** Row ids (inodes) that may match, or null: any message may. */
export type Narrowed = Set<number> | null;

/** At most this many trigrams per needle: each is a doclist to read, and a few already narrow. */
const MAX_TRIGRAMS = 6;

const COLUMN_OF: Partial<Record<SearchKey["kind"], Column[]>> = {
  TEXT: ["body", "head"], BODY: ["body"], SUBJECT: ["subject"], HEADER: ["hdr"],
  FROM: ["from"], TO: ["to"], CC: ["cc"], BCC: ["bcc"],
};

/** The FTS5 query for a needle key, or null when the index cannot answer it. */
export function keyQuery(key: SearchKey): string | null {
  const cols = COLUMN_OF[key.kind];
  if (!cols || !("value" in key)) return null;
  // lower-cased exactly as the matcher does it; the index holds lower-cased text
  const needle = key.value.toString("utf8").toLowerCase();
  // U+FFFD may stand for bytes that were never text (lone surrogates went to SQLite as it)
  if (needle.includes("\0") || needle.includes("\ufffd")) return null;
  const cps = [...needle];
  if (cps.length < 3) return null;
  const grams = new Set<string>();
  const last = cps.length - 3;
  const step = Math.max(1, Math.ceil(last / (MAX_TRIGRAMS - 1)));
  for (let i = 0; i < last; i += step) grams.add(cps.slice(i, i + 3).join(""));
  grams.add(cps.slice(last).join(""));
  const terms = [...grams].map((g) => `"${g.replace(/"/g, '""')}"`).join(" AND ");
  return `{${cols.map((c) => `"${c}"`).join(" ")}} : (${terms})`;
}

/** Whether the index can narrow a SEARCH with these keys at all. */
export const answerable = (keys: SearchKey[]): boolean => narrow(keys, () => new Set()) !== null;

/** The rows that may match every key of `keys` (a SEARCH's top level is an AND). */
export function narrow(keys: SearchKey[], match: (query: string) => Set<number>): Narrowed {
  return narrowAnd(keys, match);
}

function narrowAnd(keys: SearchKey[], match: (query: string) => Set<number>): Narrowed {
  let out: Narrowed = null;
  for (const k of keys) {
    const n = narrowKey(k, match);
    if (n === null) continue;
    out = out === null ? n : intersect(out, n);
  }
  return out;
}

function narrowKey(key: SearchKey, match: (query: string) => Set<number>): Narrowed {
  switch (key.kind) {
    case "AND": return narrowAnd(key.keys, match);
    case "OR": {
      const a = narrowKey(key.left, match);
      if (a === null) return null;
      const b = narrowKey(key.right, match);
      if (b === null) return null;
      for (const x of b) a.add(x);
      return a;
    }
    default: {
      const q = keyQuery(key);
      return q === null ? null : match(q);
    }
  }
}

function intersect(a: Set<number>, b: Set<number>): Set<number> {
  const [small, big] = a.size <= b.size ? [a, b] : [b, a];
  const out = new Set<number>();
  for (const x of small) if (big.has(x)) out.add(x);
  return out;
}
