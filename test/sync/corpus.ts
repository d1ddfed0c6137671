// Messages for SORT/THREAD comparisons: the fixture folders as they are, and generated ones with
// tricky subjects (Re:/Fwd:/[tags]/(fwd)/[Fwd: ...]/encoded words), addresses, dates and
// References/In-Reply-To chains with gaps, loops and duplicate Message-IDs.
import { mkdirSync, readFileSync, readdirSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { OracleMessage } from "./dovecot.js";

export const FIXTURE_DIR = new URL("../fixtures/mail-before/", import.meta.url).pathname;

/** A fixture folder's messages in MH number order, with their recorded mtimes. */
export function fixtureFolder(folder: string): OracleMessage[] {
  const manifest = JSON.parse(readFileSync(join(FIXTURE_DIR, "MANIFEST.json"), "utf8")) as Record<string, { mtime: number }>;
  return readdirSync(join(FIXTURE_DIR, folder))
    .filter((n) => /^\d+$/.test(n))
    .sort((a, b) => Number(a) - Number(b))
    .map((n) => ({ data: readFileSync(join(FIXTURE_DIR, folder, n)), mtime: manifest[`${folder}/${n}`].mtime }));
}

/** Writes messages as MH folder `inbox` under a new mail root (numbers 1..n, same mtimes). */
export function writeMhInbox(root: string, messages: OracleMessage[]): void {
  const dir = join(root, "inbox");
  mkdirSync(dir, { recursive: true });
  messages.forEach((m, i) => {
    const f = join(dir, String(i + 1));
    writeFileSync(f, m.data);
    utimesSync(f, m.mtime, m.mtime);
  });
}

/** A small deterministic PRNG (mulberry32), so a failing seed can be rerun. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const BASES = ["meeting", "Meeting", "lunch plans", "report", "Report Q3", "a", "", "zebra", "Ünïcode straße", "[x]"];
const WRAPS: Array<(s: string) => string> = [
  (s) => s,
  (s) => `Re: ${s}`,
  (s) => `RE: re: ${s}`,
  (s) => `Fwd: ${s}`,
  (s) => `fw: ${s}`,
  (s) => `[list] Re: ${s}`,
  (s) => `Re[2]: ${s}`,
  (s) => `Re: [list] ${s}`,
  (s) => `${s} (fwd)`,
  (s) => `[Fwd: ${s}]`,
  (s) => `  ${s}\t  `,
  (s) => `[tag1][tag2] ${s}`,
  (s) => `Re:Re: ${s} (FWD) (fwd)`,
];
const NAMES = ["alice", "Bob", "carol", "dave", "_eve", "zed", "Alice", "bob"];
const DOMAINS = ["example.com", "b.example", "Z.example"];

function encodeWord(s: string, r: () => number): string {
  if (s === "" || r() < 0.6) return s;
  const b = Buffer.from(s, "utf8");
  return r() < 0.5 ? `=?UTF-8?B?${b.toString("base64")}?=` : `=?utf-8?q?${[...b].map((c) => `=${c.toString(16).toUpperCase().padStart(2, "0")}`).join("")}?=`;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function dateHeader(r: () => number): string | null {
  const x = r();
  if (x < 0.08) return null;
  if (x < 0.12) return "not a date";
  const day = 1 + Math.floor(r() * 3);
  const hour = Math.floor(r() * 24);
  const zone = ["+0000", "-0700", "+0530", "+1200"][Math.floor(r() * 4)];
  return `${["Mon", "Tue", "Wed"][day % 3]}, ${day} ${MONTHS[2]} 2024 ${String(hour).padStart(2, "0")}:00:00 ${zone}`;
}

function address(r: () => number): string {
  const n = NAMES[Math.floor(r() * NAMES.length)];
  const d = DOMAINS[Math.floor(r() * DOMAINS.length)];
  return r() < 0.5 ? `${n}@${d}` : `"Person ${n}" <${n}@${d}>`;
}

/** `count` messages with headers chosen by `seed`. */
export function generated(seed: number, count: number): OracleMessage[] {
  const r = rng(seed);
  const ids: string[] = [];
  const out: OracleMessage[] = [];
  const base = 1_709_300_000;
  for (let i = 0; i < count; i++) {
    const pick = <T>(a: readonly T[]) => a[Math.floor(r() * a.length)];
    const h: string[] = [];
    if (r() > 0.1) h.push(`From: ${address(r)}`);
    if (r() > 0.2) h.push(`To: ${address(r)}${r() < 0.3 ? `, ${address(r)}` : ""}`);
    if (r() > 0.5) h.push(`Cc: ${address(r)}`);
    const subj = pick(WRAPS)(pick(BASES));
    if (r() > 0.05) h.push(`Subject: ${encodeWord(subj, r)}`);
    const date = dateHeader(r);
    if (date) h.push(`Date: ${date}`);
    // ids: mostly fresh, sometimes a duplicate, sometimes none
    let id: string | null = `<m${seed}.${i}@gen.example>`;
    const y = r();
    if (y < 0.06 && ids.length) id = pick(ids);
    else if (y < 0.1) id = null;
    if (id) h.push(`Message-ID: ${id}`);
    // references to earlier, later (unknown yet) and missing messages
    const refs: string[] = [];
    const nrefs = Math.floor(r() * 4);
    for (let k = 0; k < nrefs; k++) {
      const z = r();
      if (z < 0.6 && ids.length) refs.push(pick(ids));
      else if (z < 0.8) refs.push(`<m${seed}.${i + 1 + Math.floor(r() * 5)}@gen.example>`);
      else refs.push(`<missing${Math.floor(r() * 6)}@gen.example>`);
    }
    const w = r();
    if (refs.length && w < 0.6) h.push(`References: ${refs.join(" ")}`);
    else if (refs.length && w < 0.8) h.push(`In-Reply-To: ${refs[refs.length - 1]}`);
    else if (refs.length) {
      h.push(`References: ${refs.join("\n ")}`);
      h.push(`In-Reply-To: ${pick(ids.length ? ids : refs)}`);
    }
    if (id) ids.push(id);
    const body = "x".repeat(Math.floor(r() * 400)) + "\n";
    out.push({
      data: Buffer.from(h.join("\n") + "\n\n" + body, "utf8"),
      // equal arrival times happen (same second)
      mtime: base + Math.floor(r() * 20) * 3600,
    });
  }
  return out;
}
