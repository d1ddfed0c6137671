// `.mh_sequences` exactly as nmh reads and writes it: one `name: list` line per sequence, the
// list being space-separated numbers and `a-b` ranges in ascending order. nmh never folds a
// long line when it writes, but reads RFC 822 style continuation lines, so we do the same.

/** Sequences in file order (nmh keeps the order it read and appends new names). */
export type Sequences = Map<string, Set<number>>;

export class SequencesFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SequencesFormatError";
  }
}

const NAME = /^[^\s:]+$/;

export function isValidSequenceName(name: string): boolean {
  return NAME.test(name);
}

/** Parse the file's text. Bad lines raise SequencesFormatError (nmh refuses such a file too). */
export function parseSequences(text: string): Sequences {
  const out: Sequences = new Map();
  const logical: string[] = [];
  for (const line of text.split("\n")) {
    if (line === "") continue;
    if ((line[0] === " " || line[0] === "\t") && logical.length > 0) {
      logical[logical.length - 1] += " " + line.trim();
    } else {
      logical.push(line);
    }
  }
  for (const line of logical) {
    const colon = line.indexOf(":");
    if (colon <= 0) throw new SequencesFormatError(`poorly formatted line: ${JSON.stringify(line.slice(0, 80))}`);
    const name = line.slice(0, colon).trim();
    if (!isValidSequenceName(name)) throw new SequencesFormatError(`bad sequence name: ${JSON.stringify(name)}`);
    const set = out.get(name) ?? new Set<number>();
    for (const tok of line.slice(colon + 1).trim().split(/\s+/)) {
      if (tok === "") continue;
      const m = /^(\d+)(?:-(\d+))?$/.exec(tok);
      if (!m) throw new SequencesFormatError(`bad item ${JSON.stringify(tok)} in sequence ${name}`);
      const a = Number(m[1]);
      const b = m[2] === undefined ? a : Number(m[2]);
      if (a < 1 || b < a || b - a > 10_000_000) {
        throw new SequencesFormatError(`bad range ${tok} in sequence ${name}`);
      }
      for (let n = a; n <= b; n++) set.add(n);
    }
    out.set(name, set);
  }
  return out;
}

/** `1-3 7 9-10`: nmh's compaction (a run of two or more becomes a range). */
export function formatList(nums: Iterable<number>): string {
  // a typed array sorts numbers natively: the comparator sort was most of a STORE's write; a
  // set parsed from the file, or since changed by removals only, is in order already
  const sorted = Float64Array.from(nums);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i] < sorted[i - 1]) {
      sorted.sort();
      break;
    }
  }
  const parts: string[] = [];
  let i = 0;
  while (i < sorted.length) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(j > i ? `${sorted[i]}-${sorted[j]}` : String(sorted[i]));
    i = j + 1;
  }
  return parts.join(" ");
}

/**
 * The file's text. Empty sequences are left out, as nmh does. `memo` keeps each set's formatted
 * list: only for sets that are never changed again (see updateSequences).
 */
export function formatSequences(seqs: Sequences, memo?: WeakMap<Set<number>, string>): string {
  let out = "";
  for (const [name, set] of seqs) {
    if (set.size === 0) continue;
    let list = memo?.get(set);
    if (list === undefined) {
      list = formatList(set);
      memo?.set(set, list);
    }
    out += `${name}: ${list}\n`;
  }
  return out;
}
