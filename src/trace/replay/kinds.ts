// Names what differs in one command's (normalised) responses, so a replay's report can count
// differences by kind ("FETCH FLAGS", "completion NO → BAD", "RECENT differs") instead of
// leaving a reader to tally 100 diffs by eye.
import { responseKey } from "./compare.js";
import { fetchItems } from "./fetch-items.js";

function byKey(lines: string[]): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const line of lines) {
    const key = responseKey(line);
    let g = m.get(key);
    if (!g) m.set(key, (g = []));
    g.push(line);
  }
  return m;
}

/** "NO", "[NONEXISTENT]" of a tagged completion. */
function completion(line: string): { status: string; code: string } {
  const m = /^\S+ (\S+)(?: \[([^\] ]*))?/.exec(line);
  return { status: (m?.[1] ?? "?").toUpperCase(), code: m?.[2] ? `[${m[2].toUpperCase()}]` : "no code" };
}

/** BODY[HEADER.FIELDS (A B)]<0> → BODY[…]: the kind is the item, not its section. */
function itemKind(name: string): string {
  return name.replace(/\[.*$/, "[…]");
}

function fetchKinds(exp: string[], got: string[]): string[] {
  if (exp.length !== got.length) return [`FETCH responses per message ${exp.length} → ${got.length}`];
  const kinds: string[] = [];
  exp.forEach((e, i) => {
    const a = fetchItems(e);
    const b = fetchItems(got[i]);
    if (!a || !b) {
      if (e !== got[i]) kinds.push("FETCH (unparsed) differs");
      return;
    }
    const items = (f: typeof a) => new Map(f.items.map((x) => [x.name, x.text]));
    const ea = items(a);
    const gb = items(b);
    for (const [name, text] of ea) {
      if (!gb.has(name)) kinds.push(`FETCH ${itemKind(name)} missing`);
      else if (gb.get(name) !== text) kinds.push(`FETCH ${itemKind(name)}`);
    }
    for (const name of gb.keys()) if (!ea.has(name)) kinds.push(`FETCH ${itemKind(name)} extra`);
  });
  return kinds;
}

/** The kinds of difference between the expected and the live responses of one command. */
export function differenceKinds(expected: string[], got: string[], note?: string): string[] {
  const kinds = new Set<string>();
  if (note !== undefined) kinds.add(note.replace(/\d+/g, "N"));
  const e = byKey(expected);
  const g = byKey(got);
  for (const key of new Set([...e.keys(), ...g.keys()])) {
    const a = e.get(key) ?? [];
    const b = g.get(key) ?? [];
    if ([...a].sort().join("\n") === [...b].sort().join("\n")) continue;
    if (key.startsWith("FETCH ")) {
      for (const k of fetchKinds(a, b)) kinds.add(k);
    } else if (a.length === 0) {
      kinds.add(`${key} extra`);
    } else if (b.length === 0) {
      kinds.add(`${key} missing`);
    } else if (key === "TAGGED") {
      const x = completion(a[0]);
      const y = completion(b[0]);
      if (x.status !== y.status) kinds.add(`completion ${x.status} → ${y.status}`);
      else if (x.code !== y.code) kinds.add(`completion ${x.status} ${x.code} → ${y.code}`);
      else kinds.add("completion text");
    } else {
      kinds.add(`${key} differs`);
    }
  }
  if (kinds.size === 0) kinds.add("order of responses");
  return [...kinds];
}

/** How many commands show each kind, most frequent first. */
export function countKinds(perCommand: string[][]): Array<[string, number]> {
  const counts = new Map<string, number>();
  for (const kinds of perCommand) for (const k of kinds) counts.set(k, (counts.get(k) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
}
