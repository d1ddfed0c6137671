// The benchmark corpus: message files 1..N (MH form, LF endings) plus a manifest, generated once
// and cached under bench/out/corpus/. Both servers get hard links to these same files.
import fs from "node:fs";
import path from "node:path";
import { Kind, MessageFactory } from "./message.js";
import { Rng } from "./rng.js";

/** Bump when the generator changes, so stale caches are rebuilt. */
const GENERATOR_VERSION = 2;

export interface CorpusSpec {
  /** "bulk": everyday mail, 1-50 KB; "mixed": the full range, 1 KB up to `bigBytes`. */
  mix: "bulk" | "mixed";
  count: number;
  /** Size of the one very large message of a mixed corpus (20 MB in full runs). */
  bigBytes?: number;
}

export interface Corpus {
  dir: string;
  spec: CorpusSpec;
  count: number;
  /** On-disk size (LF) and wire size (CRLF) of message i+1. */
  sizes: number[];
  crlfSizes: number[];
  /** Maildir flag letters of message i+1 ("" unseen, "S", "FS", "RS", ...). */
  flags: string[];
  /** 1-based numbers of the messages containing TEXT_TOKEN / sent by FROM_TOKEN. */
  textHits: number[];
  fromHits: number[];
  /** 1-based number of the largest message (mixed corpora). */
  bigIndex: number;
}

interface Manifest extends Omit<Corpus, "dir"> {
  version: number;
}

export function corpusName(spec: CorpusSpec): string {
  return spec.mix === "mixed" ? `mixed-${spec.count}-${spec.bigBytes ?? 0}` : `bulk-${spec.count}`;
}

/** Loads the cached corpus or generates it (files first, manifest last = complete). */
export function ensureCorpus(outDir: string, spec: CorpusSpec, log: (s: string) => void): Corpus {
  const dir = path.join(outDir, "corpus", corpusName(spec));
  const manifestPath = path.join(dir, "manifest.json");
  if (fs.existsSync(manifestPath)) {
    const m = JSON.parse(fs.readFileSync(manifestPath, "utf8")) as Manifest;
    if (m.version === GENERATOR_VERSION) return { dir, ...m };
  }
  const t0 = Date.now();
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.join(dir, "msgs"), { recursive: true });
  const rng = new Rng(spec.mix === "mixed" ? 1001 : 2002);
  const factory = new MessageFactory(rng);
  const c: Manifest = {
    version: GENERATOR_VERSION,
    spec,
    count: spec.count,
    sizes: [],
    crlfSizes: [],
    flags: [],
    textHits: [],
    fromHits: [],
    bigIndex: 0,
  };
  const bigAt = spec.mix === "mixed" ? Math.ceil(spec.count / 2) : 0;
  for (let i = 1; i <= spec.count; i++) {
    const [kind, size] = i === bigAt ? (["large", spec.bigBytes ?? 20 << 20] as [Kind, number]) : choose(rng, spec.mix);
    const m = factory.build(i, kind, size);
    fs.writeFileSync(path.join(dir, "msgs", String(i)), m.bytes);
    let lf = 0;
    for (let k = m.bytes.indexOf(10); k >= 0; k = m.bytes.indexOf(10, k + 1)) lf++;
    c.sizes.push(m.bytes.length);
    c.crlfSizes.push(m.bytes.length + lf);
    c.flags.push(chooseFlags(rng));
    if (m.hasText) c.textHits.push(i);
    if (m.fromTarget) c.fromHits.push(i);
    if (i === 1 || m.bytes.length > c.sizes[c.bigIndex - 1]) c.bigIndex = i;
  }
  fs.writeFileSync(manifestPath, JSON.stringify(c));
  const mb = c.sizes.reduce((a, b) => a + b, 0) / 1e6;
  log(`corpus ${corpusName(spec)}: ${spec.count} messages, ${mb.toFixed(0)} MB in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return { dir, ...c };
}

export function messagePath(c: Corpus, n: number): string {
  return path.join(c.dir, "msgs", String(n));
}

function choose(rng: Rng, mix: "bulk" | "mixed"): [Kind, number] {
  const p = rng.next();
  if (mix === "bulk") {
    if (p < 0.75) return ["plain", rng.int(1_000, 5_000)];
    if (p < 0.95) return ["alternative", rng.int(3_000, 10_000)];
    return ["attachment", rng.int(10_000, 50_000)];
  }
  if (p < 0.55) return ["plain", rng.int(1_000, 8_000)];
  if (p < 0.8) return ["alternative", rng.int(4_000, 20_000)];
  if (p < 0.96) return ["attachment", rng.int(20_000, 500_000)];
  if (p < 0.99) return ["forward", rng.int(5_000, 40_000)];
  return ["large", rng.int(1_000_000, 4_000_000)];
}

function chooseFlags(rng: Rng): string {
  if (rng.chance(0.15)) return rng.chance(0.1) ? "F" : "";
  let f = "";
  if (rng.chance(0.05)) f += "F";
  if (rng.chance(0.1)) f += "R";
  return f + "S";
}
