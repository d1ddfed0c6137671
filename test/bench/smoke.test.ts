// The benchmark's smoke mode (BENCH_SCALE=smoke) against Dovecot and, once it is built, against
// our server: every workload must complete without a protocol error. Timings are never asserted.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { oursEntry, repoRoot, serversFromEnv } from "../../bench/imap/main.js";
import { renderReport } from "../../bench/imap/report.js";
import { runBench } from "../../bench/imap/runner.js";
import { SCALES } from "../../bench/imap/scale.js";
import { DEFAULT_SERVERS } from "../../bench/imap/workload-kit.js";
import { WORKLOADS } from "../../bench/imap/workloads.js";

const root = repoRoot();
const canRun = process.getuid?.() === 0 && fs.existsSync("/usr/sbin/dovecot");

describe("benchmark smoke run", () => {
  it.runIf(canRun)("runs every workload on every server without protocol errors", async () => {
    // Its own output directory: never disturbs a full run's cache in bench/out.
    const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "asimap-bench-smoke-"));
    fs.chmodSync(outDir, 0o755);
    try {
      const servers = serversFromEnv(root, process.env.BENCH_SERVERS);
      const result = await runBench({
        scale: SCALES.smoke,
        outDir,
        servers,
        oursEntry: oursEntry(root),
        log: () => undefined,
      });
      const report = renderReport(result, "BENCH_SCALE=smoke make bench");
      expect(result.errors, report).toEqual([]);
      // Every metric of every workload has a figure from every server it runs on.
      for (const w of WORKLOADS) {
        for (const metric of w.metrics(SCALES.smoke)) {
          const key = metric.key;
          const mr = result.metrics.find((m) => m.metric.key === key);
          for (const s of servers) {
            if (!(w.servers ?? DEFAULT_SERVERS).includes(s) || (metric.only && !metric.only.includes(s))) continue;
            if (s === "ours" && key === "rss-front-idle") continue; // ours has no separate login process
            expect(mr?.values[s]?.length, `${key} on ${s}`).toBe(1);
          }
        }
      }
      // The full-text rows: every server gave the same hits (and the corpus's, for the rare word).
      expect(result.mismatches.filter((p) => p.workload === "fts"), report).toEqual([]);
    } finally {
      fs.rmSync(outDir, { recursive: true, force: true });
    }
  }, 120_000);

  it("refuses an unknown scale and an unknown server by name", async () => {
    const { scaleFromEnv } = await import("../../bench/imap/scale.js");
    expect(() => scaleFromEnv("huge")).toThrow(/BENCH_SCALE/);
    expect(() => serversFromEnv(root, "ours,exim")).toThrow(/exim/);
    expect(serversFromEnv(root, "dovecot")).toEqual(["dovecot"]);
    expect(serversFromEnv(root, "ours,dovecot")).toEqual(["ours", "dovecot"]);
    expect(serversFromEnv(root, "xapian")).toEqual(["xapian"]);
  });
});
