// Entry point of `make bench` (via bench/run.sh): runs the side-by-side benchmark and writes
// bench/out/report-<scale>.md and results-<scale>.json. Exits 1 on any protocol error.
//
// Environment: BENCH_SCALE=full|smoke, BENCH_RUNS=n, BENCH_SERVERS=ours,dovecot,xapian,
// BENCH_FTS_COUNT=n (the full-text workload's folder),
// BENCH_ONLY=<workload ids>, BENCH_OUT=<dir> (default bench/out), BENCH_ASIMAPD=<asimapd.js>.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { renderReport } from "./report.js";
import { runBench, ServerName } from "./runner.js";
import { scaleFromEnv } from "./scale.js";

/** The repository root, from dist/bench/imap/main.js or bench/imap/main.ts. */
export function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, "package.json"))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error("cannot find the repository root");
    dir = up;
  }
  return dir;
}

/** The compiled asimapd (BENCH_ASIMAPD overrides, e.g. to measure another checkout's build). */
export function oursEntry(root = repoRoot()): string {
  return process.env.BENCH_ASIMAPD ?? path.join(root, "dist", "src", "cli", "asimapd.js");
}

/** Dovecot's fts-xapian plugin (Debian's dovecot-fts-xapian), for the "xapian" peer. */
export const XAPIAN_PLUGIN = "/usr/lib/dovecot/modules/lib21_fts_xapian_plugin.so";

/** Ours when built, Dovecot, and Dovecot with fts-xapian when the plugin is installed (unless
 *  BENCH_SERVERS says otherwise: ours,dovecot leaves out the Xapian peer and its hour-long build). */
export function serversFromEnv(root = repoRoot(), value = process.env.BENCH_SERVERS): ServerName[] {
  if (value) {
    const names = value.split(",").map((s) => s.trim()).filter(Boolean);
    for (const n of names) if (n !== "ours" && n !== "dovecot" && n !== "xapian") throw new Error(`unknown server "${n}" in BENCH_SERVERS`);
    return names as ServerName[];
  }
  const out: ServerName[] = fs.existsSync(oursEntry(root)) ? ["ours", "dovecot"] : ["dovecot"];
  if (fs.existsSync(XAPIAN_PLUGIN)) out.push("xapian");
  return out;
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error("run as root: Dovecot and our server switch to the mail owner's uid");
  const root = repoRoot();
  const scale = scaleFromEnv();
  const outDir = path.resolve(process.env.BENCH_OUT ?? path.join(root, "bench", "out"));
  const servers = serversFromEnv(root);
  const log = (s: string) => process.stderr.write(`[bench] ${s}\n`);
  log(`scale ${scale.name}, servers ${servers.join(", ")}, output ${outDir}`);
  const result = await runBench({
    scale,
    outDir,
    servers,
    oursEntry: oursEntry(root),
    only: process.env.BENCH_ONLY?.split(",").map((s) => s.trim()),
    log,
  });
  const command = scale.name === "full" ? "make bench" : "BENCH_SCALE=smoke make bench";
  const report = renderReport(result, command);
  fs.writeFileSync(path.join(outDir, `report-${scale.name}.md`), report);
  fs.writeFileSync(path.join(outDir, `results-${scale.name}.json`), JSON.stringify(result, null, 2));
  process.stdout.write(report);
  if (result.errors.length) process.exitCode = 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  main().catch((e) => {
    process.stderr.write(`[bench] ${(e as Error).stack ?? e}\n`);
    process.exit(1);
  });
}
