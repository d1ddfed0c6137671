// imaptest's stress mode against both servers in the same run (part of `make bench`):
// 10 clients for 15 s over TLS, each logging in, selecting, fetching, storing, expunging and
// logging out again, so messages vanish under other sessions. Our password file has Django's
// default hash (pbkdf2_sha256, 1.2 million rounds); Dovecot's its own PBKDF2 of 10,000 rounds.
// imaptest is built once into the cache the peer tests share (bench/lib/imaptest.ts).
// Writes bench/out/stress.md and stress.json; exits 1 when imaptest reports an error.
// Environment: BENCH_STRESS_SECS (15), BENCH_STRESS_CLIENTS (10), BENCH_IMAPTEST (a built
// imaptest), BENCH_OUT, BENCH_ASIMAPD.
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PBKDF2_DEFAULT_ITERATIONS } from "../../src/daemon/hashers.js";
import { ensureImaptest, imaptestSource } from "../lib/imaptest.js";
import { Dovecot } from "./dovecot.js";
import { mailOwner } from "./fixture.js";
import { oursEntry, repoRoot } from "./main.js";
import { Ours } from "./ours.js";
import { ensureCert, PASSWORD, ServerUnderTest } from "./server.js";

export interface StressFigures {
  server: string;
  commands: number;
  perSecond: number;
  errors: string[];
}

/** imaptest's binary: BENCH_IMAPTEST, else the shared build (made when missing). */
async function imaptestBinary(log: (s: string) => void): Promise<string> {
  if (process.env.BENCH_IMAPTEST) return process.env.BENCH_IMAPTEST;
  return path.join(await ensureImaptest(log), "imaptest");
}

function ensureMbox(outDir: string): string {
  const file = path.join(outDir, "stress.mbox");
  if (!fs.existsSync(file)) {
    execFileSync("python3", [path.join(imaptestSource(), "make_stress_mbox.py"), "--out", file], { stdio: "ignore" });
  }
  return file;
}

/**
 * imaptest's last lines are the totals: a header of state names, then percentages, then counts. All
 * counts summed are the commands answered; its "Error:" lines are the errors.
 */
export function parseImaptest(out: string, secs: number, server: string): StressFigures {
  const lines = out.split("\n");
  const errors = lines.filter((l) => /\bError:/.test(l));
  const at = lines.findIndex((l) => /^Totals:/.test(l));
  // (after the header come the lines of percentages, then the counts)
  const counts = at >= 0 ? lines.slice(at).find((l) => /^\s*\d+(\s+\d+)+\s*$/.test(l)) ?? "" : "";
  const commands = counts.trim().split(/\s+/).filter((x) => /^\d+$/.test(x)).reduce((a, b) => a + Number(b), 0);
  return { server, commands, perSecond: commands / secs, errors };
}

function runImaptest(bin: string, port: number, mbox: string, secs: number, clients: number): Promise<string> {
  return new Promise((resolve) => {
    const p = spawn(bin, [`host=127.0.0.1`, `port=${port}`, "ssl=any-cert", "user=stress", `pass=${PASSWORD}`,
      `mbox=${mbox}`, `clients=${clients}`, `secs=${secs}`], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    p.stdout.on("data", (d: Buffer) => (out += d.toString()));
    p.stderr.on("data", (d: Buffer) => (out += d.toString()));
    p.on("exit", () => resolve(out));
  });
}

async function main(): Promise<void> {
  const root = repoRoot();
  const outDir = path.resolve(process.env.BENCH_OUT ?? path.join(root, "bench", "out"));
  const secs = Number(process.env.BENCH_STRESS_SECS ?? 15);
  const clients = Number(process.env.BENCH_STRESS_CLIENTS ?? 10);
  const log = (s: string) => process.stderr.write(`[stress] ${s}\n`);
  const bin = await imaptestBinary(log);
  const mbox = ensureMbox(outDir);
  const { cert, key } = ensureCert(outDir);
  const dir = path.join(outDir, "run-stress");
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  const env = { dir, users: [{ name: "stress", mailboxes: {} }], owner: mailOwner(), cert, key };
  const results: StressFigures[] = [];
  const servers: ServerUnderTest[] = [new Ours(env, oursEntry(root), PBKDF2_DEFAULT_ITERATIONS), new Dovecot(env)];
  for (const s of servers) {
    await s.prepare();
    await s.start();
    try {
      const out = await runImaptest(bin, s.port, mbox, secs, clients);
      fs.writeFileSync(path.join(outDir, `stress-${s.name}.log`), out);
      const r = parseImaptest(out, secs, s.name);
      results.push(r);
      log(`${s.name}: ${r.commands} commands, ${r.perSecond.toFixed(0)}/s, ${r.errors.length} errors`);
    } finally {
      await s.stop();
    }
  }
  const [ours, dovecot] = results;
  const ratio = ours.perSecond / dovecot.perSecond;
  const report = [
    `# imaptest stress (${clients} clients, ${secs} s, TLS, login cycling; ours with Django's default hash)`,
    "",
    "| server | commands | commands/s | errors |",
    "|---|---:|---:|---:|",
    ...results.map((r) => `| ${r.server} | ${r.commands} | ${r.perSecond.toFixed(0)} | ${r.errors.length} |`),
    "",
    `ratio ours/dovecot: ${ratio.toFixed(2)}`,
    ...results.flatMap((r) => r.errors.slice(0, 10).map((e) => `- ${r.server}: ${e}`)),
    "",
  ].join("\n");
  fs.writeFileSync(path.join(outDir, "stress.md"), report);
  fs.writeFileSync(path.join(outDir, "stress.json"), JSON.stringify({ results, ratio }, null, 2));
  process.stdout.write(report);
  if (results.some((r) => r.errors.length)) process.exitCode = 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  main().catch((e) => {
    process.stderr.write(`[stress] ${(e as Error).stack ?? e}\n`);
    process.exit(1);
  });
}
