// Renders a benchmark result as markdown: a speed table and a memory table with medians, ranges
// and the ratio ours/Dovecot, then the errors and mismatches.
import { execFileSync } from "node:child_process";
import os from "node:os";
import { BenchResult, MetricResult } from "./runner.js";
import { fmt, summarize } from "./stats.js";

export function machineLine(): string {
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  let dovecot = "not installed";
  try {
    dovecot = execFileSync("/usr/sbin/dovecot", ["--version"], { encoding: "utf8" }).trim().split(" ")[0];
  } catch {
    // reported as not installed
  }
  return `${os.cpus().length} cores (${cpu}, shared), ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, ` +
    `Linux ${os.release()}, Node ${process.version}, Dovecot ${dovecot}`;
}

function cell(xs: number[] | undefined): string {
  const s = summarize(xs ?? []);
  if (!s) return "—";
  return s.n === 1 ? fmt(s.median) : `${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)})`;
}

/** "1.8× slower", "1.2× better", "≈ same" (within 5%): ours against `peer`. */
export function verdict(mr: MetricResult, peer: "dovecot" | "xapian" = "dovecot"): string {
  const ours = summarize(mr.values.ours ?? []);
  const dc = summarize(mr.values[peer] ?? []);
  if (!ours || !dc || dc.median === 0 || ours.median === 0) return "—";
  const ratio = ours.median / dc.median;
  const behind = mr.metric.better === "lower" ? ratio > 1 : ratio < 1;
  const factor = ratio >= 1 ? ratio : 1 / ratio;
  if (factor < 1.05) return `${ratio.toFixed(2)} (≈ same)`;
  const word = mr.metric.table === "memory" ? (behind ? "more" : "less") : behind ? "behind" : "ahead";
  return `${ratio.toFixed(2)} (${factor.toFixed(1)}× ${word})`;
}

function table(result: BenchResult, kind: "speed" | "memory"): string[] {
  const rows = result.metrics.filter((m) => m.metric.table === kind);
  if (!rows.length) return [];
  const head = kind === "speed" ? "Workload" : "Process and moment";
  // the fts-xapian peer runs the full-text workload only: its columns when it was measured
  const xapian = result.servers.includes("xapian");
  const lines = [
    `| ${head} | Mailbox | Unit | Dovecot median (min–max) |${xapian ? " Dovecot + fts-xapian |" : ""} ours median (min–max) | ours/Dovecot |${xapian ? " ours/fts-xapian |" : ""}`,
    `|---|---|---|---|${xapian ? "---|" : ""}---|---|${xapian ? "---|" : ""}`,
  ];
  for (const r of rows) {
    const m = r.metric;
    const unit = `${m.unit} (${m.better === "lower" ? "lower" : "higher"} is better)`;
    const x = (s: string) => (xapian ? ` ${s} |` : "");
    lines.push(`| ${m.label} | ${m.mailbox} | ${unit} | ${cell(r.values.dovecot)} |${x(cell(r.values.xapian))} ${cell(r.values.ours)} | ${verdict(r)} |${x(verdict(r, "xapian"))}`);
  }
  return lines;
}

export function renderReport(result: BenchResult, command: string): string {
  const out: string[] = [
    `Command: \`${command}\` (scale ${result.scale.name}, ${result.scale.runs} run(s) per server and ` +
      `workload, alternating which server goes first), ${result.startedAt.slice(0, 16).replace("T", " ")} UTC, ` +
      `${Math.round(result.seconds)} s in all.`,
    "",
    `Machine: ${machineLine()}.`,
    "",
    ...table(result, "speed"),
    "",
    ...table(result, "memory"),
  ];
  if (result.servers.includes("xapian")) {
    out.push("", "Dovecot + fts-xapian serves the full-text workload only; its index build figures are those of the build " +
      "kept in bench/out/xapian/ (build.json: made once per corpus, an hour for 100,000 messages).");
  }
  if (!result.servers.includes("ours")) out.push("", "Our server was not measured in this run (no dist/src/cli/asimapd.js).");
  const problems = [
    ...result.errors.map((p) => `- protocol error, ${p.server}, ${p.workload} run ${p.run}: ${p.message}`),
    ...result.mismatches.map((p) => `- mismatch, ${p.server}, ${p.workload} run ${p.run}: ${p.message}`),
  ];
  if (problems.length) out.push("", "Problems:", "", ...problems);
  return out.join("\n") + "\n";
}
