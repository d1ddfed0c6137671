#!/usr/bin/env node
// Measures what one user-process start costs, per way of starting it, alternating the ways in
// one run so that the machine's load falls on all of them alike:
//   node scripts/measure-user-start.mjs [--runs N] [--dist <dist dir>]... [--modes plain,bundle,snapshot]
// For each start: CPU (user+system from /proc/<pid>/stat) until the spare says it is loaded,
// and until it serves a user (assigned a fresh MH mail directory: engine and store opened),
// and RSS at both points. Prints the median of each. Linux only; as root the mail directory is
// given to `nobody`, as the user process refuses mail owned by root.
import { spawn } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: {
  runs: { type: "string", default: "8" },
  dist: { type: "string", multiple: true },
  modes: { type: "string", default: "plain,bundle,snapshot" },
  // node options for the user processes, e.g. --node-option=--cpu-prof --node-option=--cpu-prof-dir=/tmp/p
  "node-option": { type: "string", multiple: true },
} });
const nodeOptions = values["node-option"] ?? [];
const dists = (values.dist?.length ? values.dist : [path.resolve("dist")]).map((d) => path.resolve(d));
const modes = values.modes.split(",");
const TICK = 100; // USER_HZ on Linux

function cpuMs(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = f.slice(f.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICK;
}
function rssMb(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : NaN;
}

function argvFor(dist, mode) {
  const u = path.join(dist, "src", "user");
  if (mode === "plain") return [path.join(u, "main.js")];
  if (mode === "bundle") return [path.join(u, "main.bundle.cjs")];
  if (mode === "snapshot") return ["--snapshot-blob", path.join(u, "main.snapshot.blob"), "--", path.join(u, "main.bundle.cjs")];
  throw new Error(`unknown mode ${mode}`);
}

function maildir(base) {
  const d = mkdtempSync(path.join(base, "mail-"));
  mkdirSync(path.join(d, "inbox"));
  writeFileSync(path.join(d, "inbox", "1"), "From: a@b\nSubject: hi\n\nbody\n");
  if (process.getuid() === 0) for (const p of [d, path.join(d, "inbox"), path.join(d, "inbox", "1")]) chownSync(p, 65534, 65534);
  return d;
}

async function once(dist, mode, base) {
  const mail = maildir(base);
  const sockDir = path.join(mail, ".sock");
  const child = spawn(process.execPath, [...nodeOptions, ...argvFor(dist, mode), "--spare", "--linger", "60000"],
    { stdio: ["ignore", "ignore", "inherit", "ipc"] });
  const msg = (t) => new Promise((res, rej) => {
    const on = (m) => { if (m?.t === t) { child.off("message", on); res(); } };
    child.on("message", on);
    child.once("exit", (c) => rej(new Error(`${mode}: exited ${c} before ${t}`)));
  });
  await msg("spare");
  const loaded = { cpu: cpuMs(child.pid), rss: rssMb(child.pid) };
  if (process.getuid() === 0) { mkdirSync(sockDir, { mode: 0o700 }); chownSync(sockDir, 65534, 65534); }
  child.send({ t: "assign", user: "u", maildir: mail, socketDir: sockDir, proof: randomBytes(8).toString("hex") });
  await msg("ready");
  const ready = { cpu: cpuMs(child.pid), rss: rssMb(child.pid) };
  // SIGTERM (a clean stop) so that a --cpu-prof given in NODE_OPTIONS gets written
  child.kill("SIGTERM");
  await new Promise((r) => child.once("exit", r));
  rmSync(mail, { recursive: true, force: true });
  return { loaded, ready };
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const base = mkdtempSync(path.join(tmpdir(), "user-start-"));
chmodSync(base, 0o711); // nobody must reach its mail directory below
const rows = new Map();
try {
  for (let i = 0; i < Number(values.runs); i++) {
    for (const dist of dists) for (const mode of modes) {
      if (mode !== "plain" && !existsSync(argvFor(dist, mode).at(-1))) continue;
      const key = `${dist} ${mode}`;
      const r = await once(dist, mode, base);
      if (!rows.has(key)) rows.set(key, []);
      rows.get(key).push(r);
    }
  }
} finally {
  rmSync(base, { recursive: true, force: true });
}
console.log("starts | cpu to loaded ms | cpu to serving ms | rss loaded MB | rss serving MB | build mode");
for (const [key, rs] of rows) {
  console.log([rs.length, median(rs.map((r) => r.loaded.cpu)), median(rs.map((r) => r.ready.cpu)),
    median(rs.map((r) => r.loaded.rss)).toFixed(1), median(rs.map((r) => r.ready.rss)).toFixed(1), key].join(" | "));
}
