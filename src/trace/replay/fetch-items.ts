// Splits the parenthesised list of a FETCH response into its items ("NAME value"), so that
// their order can be ignored (RFC 9051 §7.5.2 sets none) and a difference named by item.
// Knows quoted strings, literals ({n}, ~{n}, or a redaction marker in place of the bytes),
// nested lists and sections (BODY[HEADER.FIELDS (A B)]<0>). Odd input gives undefined.
import { markerAt } from "../redact.js";

export interface FetchItems {
  /** "* 3 FETCH" */
  head: string;
  /** Each item as sent: its name, a space, its value. */
  items: Array<{ name: string; text: string }>;
}

function readQuoted(text: string, i: number): number {
  for (i++; i < text.length; i++) {
    if (text[i] === "\\") i++;
    else if (text[i] === '"') return i + 1;
  }
  return -1;
}

function readLiteral(text: string, i: number): number {
  const m = /^~?\{(\d+)\+?\}\r\n/.exec(text.slice(i, i + 32));
  if (!m) return -1;
  const start = i + m[0].length;
  const marker = markerAt(text, start);
  const end = marker ? start + marker.text.length : start + Number(m[1]);
  return end <= text.length ? end : -1;
}

/** The index just after the value starting at i, or -1. */
export function readValue(text: string, i: number): number {
  const c = text[i];
  if (c === '"') return readQuoted(text, i);
  if (c === "{" || c === "~") return readLiteral(text, i);
  if (c === "(") {
    i++;
    while (i < text.length) {
      if (text[i] === " ") i++;
      else if (text[i] === ")") return i + 1;
      else if ((i = readValue(text, i)) < 0) return -1;
    }
    return -1;
  }
  const start = i;
  while (i < text.length && !" ()".includes(text[i])) i++;
  return i > start ? i : -1;
}

/** An item name, with any [section] (which may hold spaces, lists, quotes) and <origin>. */
function readName(text: string, i: number): number {
  let depth = 0;
  for (; i < text.length; i++) {
    const c = text[i];
    if (c === '"' && depth > 0) {
      if ((i = readQuoted(text, i) - 1) < 0) return -1;
    } else if (c === "[") depth++;
    else if (c === "]") depth--;
    else if (depth === 0 && (c === " " || c === ")" || c === "(")) return i;
  }
  return -1;
}

export function fetchItems(line: string): FetchItems | undefined {
  const m = /^\* \d+ FETCH \(/i.exec(line);
  if (!m) return undefined;
  const items: FetchItems["items"] = [];
  let i = m[0].length;
  while (i < line.length) {
    if (line[i] === " ") {
      i++;
      continue;
    }
    if (line[i] === ")") return i === line.length - 1 ? { head: m[0].slice(0, -2), items } : undefined;
    const nameEnd = readName(line, i);
    if (nameEnd < 0 || line[nameEnd] !== " ") return undefined;
    const end = readValue(line, nameEnd + 1);
    if (end < 0) return undefined;
    items.push({ name: line.slice(i, nameEnd).toUpperCase(), text: line.slice(i, end) });
    i = end;
  }
  return undefined;
}

/** The FETCH response with its items sorted by name; any other line unchanged. */
export function sortFetchItems(line: string): string {
  const f = fetchItems(line);
  if (!f) return line;
  const sorted = [...f.items].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return `${f.head} (${sorted.map((x) => x.text).join(" ")})`;
}
