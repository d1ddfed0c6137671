// Runs every workload against each server, alternating which goes first, and collects the
// figures, the protocol errors and the mismatches.
import fs from "node:fs";
import path from "node:path";
import { Dovecot } from "./dovecot.js";
import { buildFixture } from "./fixture.js";
import { Ours } from "./ours.js";
import { Scale } from "./scale.js";
import { ensureCert, type ServerName, ServerUnderTest } from "./server.js";
import { DEFAULT_SERVERS } from "./workload-kit.js";
import { Metric, WORKLOADS } from "./workloads.js";
import { XapianCache } from "./xapian-cache.js";

export type { ServerName };

export interface BenchOptions {
  scale: Scale;
  outDir: string;
  servers: ServerName[];
  /** Path of the compiled asimapd entry point (needed when "ours" is in `servers`). */
  oursEntry: string;
  /** Only these workload ids (all when absent). */
  only?: string[];
  log: (s: string) => void;
}

export interface Problem {
  server: ServerName;
  workload: string;
  run: number;
  message: string;
}

export interface MetricResult {
  metric: Metric;
  values: Partial<Record<ServerName, number[]>>;
}

export interface BenchResult {
  scale: Scale;
  servers: ServerName[];
  metrics: MetricResult[];
  errors: Problem[];
  mismatches: Problem[];
  startedAt: string;
  seconds: number;
}

export async function runBench(opts: BenchOptions): Promise<BenchResult> {
  const t0 = Date.now();
  const { scale, log } = opts;
  const fx = buildFixture(opts.outDir, scale, log);
  const { cert, key } = ensureCert(opts.outDir);
  const dir = path.join(opts.outDir, `run-${scale.name}`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  const env = { dir, users: fx.users, owner: fx.owner, cert, key };
  const servers: ServerUnderTest[] = [];
  const result: BenchResult = {
    scale,
    servers: opts.servers,
    metrics: [],
    errors: [],
    mismatches: [],
    startedAt: new Date().toISOString(),
    seconds: 0,
  };
  const workloads = WORKLOADS.filter((w) => !opts.only || opts.only.includes(w.id));
  const wanted = (name: ServerName) => workloads.some((w) => (w.servers ?? DEFAULT_SERVERS).includes(name));
  try {
    for (const name of opts.servers.filter(wanted)) {
      const s = name === "ours" ? new Ours(env, opts.oursEntry)
        // (only the full-text workload's user: its home, index and all, is cached between runs)
        : name === "xapian" ? new Dovecot({ ...env, users: [fx.fts] }, new XapianCache(path.join(opts.outDir, "xapian")))
        : new Dovecot(env);
      try {
        await s.prepare();
        await s.start();
        servers.push(s);
        log(`${name} listening on 127.0.0.1:${s.port}`);
      } catch (e) {
        // The other server is still worth measuring; the error is in the report.
        result.errors.push({ server: name, workload: "start", run: 0, message: (e as Error).message });
        log(`${name} did not start: ${(e as Error).message}`);
        await s.stop().catch(() => undefined);
      }
    }
    for (const w of workloads) {
      const on = servers.filter((s) => (w.servers ?? DEFAULT_SERVERS).includes(s.name));
      const byKey = new Map<string, MetricResult>();
      for (const metric of w.metrics(scale)) {
        const mr: MetricResult = { metric, values: {} };
        byKey.set(metric.key, mr);
        result.metrics.push(mr);
      }
      for (let run = 1; run <= scale.runs; run++) {
        const order = run % 2 === 1 ? on : [...on].reverse();
        for (const server of order) {
          const note = (list: Problem[], message: string) =>
            list.push({ server: server.name, workload: w.id, run, message });
          try {
            const figures = await w.run({ server, fx, scale, mismatch: (m) => note(result.mismatches, m) });
            for (const [k, v] of Object.entries(figures)) {
              const mr = byKey.get(k);
              if (mr) (mr.values[server.name] ??= []).push(v);
            }
            log(`${w.id} run ${run} ${server.name}: ${Object.entries(figures).map(([k, v]) => `${k}=${v.toFixed(1)}`).join(" ")}`);
          } catch (e) {
            const message = (e as Error).message;
            note(result.errors, message);
            log(`${w.id} run ${run} ${server.name}: ERROR ${message}\n${server.logTail()}`);
            // Leave the next workload a working server.
            await server.stop().catch(() => undefined);
            await server.start().catch((err) => log(`restart of ${server.name} failed: ${(err as Error).message}`));
          }
        }
      }
    }
  } finally {
    for (const s of servers) await s.stop().catch(() => undefined);
  }
  result.seconds = (Date.now() - t0) / 1000;
  return result;
}
