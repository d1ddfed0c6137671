// Compares one command's expected and actual (normalised) responses.
//
// The rule: the tagged completion is compared as the last response. Untagged responses are
// cut into segments at "barriers" — EXISTS, EXPUNGE and VANISHED, which change what message
// sequence numbers mean, so their order against everything else matters. Within a segment
// responses are grouped by key (FETCH of message n, or the response name: RECENT, FLAGS,
// OK [CODE], LIST, ...): groups are compared as a set, each group in order. So a server may
// send RECENT before or after the FETCH of message 3 (RFC 9051 §7 lets unsolicited data come
// in any order), but two FETCHes of message 3 must come in the recorded order, and nothing may
// cross an EXPUNGE. The LIST (LSUB) lines of one command are a set: RFC 3501 §6.3.8 gives
// them no order, so those groups are compared sorted.
export function responseKey(line: string): string {
  if (/^\+( |$)/.test(line)) return "+";
  if (!line.startsWith("* ")) return "TAGGED";
  const m = /^\* (\d+) (\S+)/.exec(line);
  if (m) {
    const name = m[2].toUpperCase();
    return name === "FETCH" ? `FETCH ${m[1]}` : name;
  }
  const code = /^\* (OK|NO|BAD) \[([A-Za-z0-9.-]+)/i.exec(line);
  if (code) return `${code[1].toUpperCase()} [${code[2].toUpperCase()}]`;
  return (/^\* (\S+)/.exec(line)?.[1] ?? "").toUpperCase();
}

const BARRIERS = new Set(["EXISTS", "EXPUNGE", "VANISHED"]);
const UNORDERED = new Set(["LIST", "LSUB"]);

function groupLines(key: string, lines: string[]): string[] {
  return UNORDERED.has(key) ? [...lines].sort() : lines;
}

/** Canonical form: segments of key-grouped responses, barriers and the completion in order. */
export function canonical(lines: string[]): string {
  const out: string[] = [];
  let groups = new Map<string, string[]>();
  const flush = () => {
    for (const key of [...groups.keys()].sort()) out.push(JSON.stringify([key, groupLines(key, groups.get(key)!)]));
    groups = new Map();
  };
  for (const line of lines) {
    const key = responseKey(line);
    if (BARRIERS.has(key) || key === "TAGGED") {
      flush();
      out.push(JSON.stringify([key, line]));
    } else {
      let g = groups.get(key);
      if (!g) groups.set(key, (g = []));
      g.push(line);
    }
  }
  flush();
  return out.join("\n");
}

/** The lines in the order the comparison sees them (so a diff shows only real differences). */
export function canonicalOrder(lines: string[]): string[] {
  const out: string[] = [];
  let groups = new Map<string, string[]>();
  const flush = () => {
    for (const key of [...groups.keys()].sort()) out.push(...groupLines(key, groups.get(key)!));
    groups = new Map();
  };
  for (const line of lines) {
    const key = responseKey(line);
    if (BARRIERS.has(key) || key === "TAGGED") {
      flush();
      out.push(line);
    } else {
      let g = groups.get(key);
      if (!g) groups.set(key, (g = []));
      g.push(line);
    }
  }
  flush();
  return out;
}

export function sameResponses(expected: string[], got: string[]): boolean {
  return canonical(expected) === canonical(got);
}

export type DiffLine = { op: " " | "-" | "+"; text: string };

/** A line diff (longest common subsequence) for display: "-" expected only, "+" got only. */
export function lineDiff(expected: string[], got: string[]): DiffLine[] {
  const n = expected.length;
  const m = got.length;
  if (n * m > 4_000_000) {
    // Too big for a table: show both in full.
    return [...expected.map((text) => ({ op: "-" as const, text })), ...got.map((text) => ({ op: "+" as const, text }))];
  }
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i][j] = expected[i] === got[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && expected[i] === got[j]) {
      out.push({ op: " ", text: expected[i] });
      i++;
      j++;
    } else if (i < n && (j === m || lcs[i + 1][j] >= lcs[i][j + 1])) {
      out.push({ op: "-", text: expected[i++] });
    } else {
      out.push({ op: "+", text: got[j++] });
    }
  }
  return out;
}
