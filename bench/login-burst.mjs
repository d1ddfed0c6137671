#!/usr/bin/env node
// CPU of a burst of first logins: N users log in at once (TLS, LOGIN, SELECT INBOX) to a fresh
// asimapd; reports the CPU (user+system, /proc) the root and the user processes spent, per
// asimapd build given, alternating the builds run by run (wall times on a shared machine are
// noise; CPU is what a burst costs).
//   node bench/login-burst.mjs [--users 50] [--runs 3] --asimapd <dist/src/cli/asimapd.js>...
// Needs root (mail is given to nobody) and the openssl command. Passwords are pbkdf2_sha256
// with 10,000 rounds, as in bench/imap.
import { execFileSync, spawn } from "node:child_process";
import { pbkdf2Sync } from "node:crypto";
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:tls";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: {
  users: { type: "string", default: "50" },
  runs: { type: "string", default: "3" },
  asimapd: { type: "string", multiple: true },
  env: { type: "string", multiple: true }, // NAME=value for every asimapd (e.g. ASIMAPD_USER_ENTRY=bundle)
} });
if (!values.asimapd?.length) throw new Error("give --asimapd <path to asimapd.js> (one or more)");
if (process.getuid() !== 0) throw new Error("run as root: the mail is given to nobody");
const N = Number(values.users);
const extraEnv = Object.fromEntries((values.env ?? []).map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));

const base = mkdtempSync(path.join(tmpdir(), "login-burst-"));
chmodSync(base, 0o755);
execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
  "-keyout", path.join(base, "key.pem"), "-out", path.join(base, "cert.pem")], { stdio: "ignore" });
const salt = "burstsalt";
const hash = `pbkdf2_sha256$10000$${salt}$${pbkdf2Sync("pw", salt, 10000, 32, "sha256").toString("base64")}`;
const lines = [];
for (let i = 0; i < N; i++) {
  const inbox = path.join(base, `m${i}`, "inbox");
  mkdirSync(inbox, { recursive: true });
  for (let n = 1; n <= 3; n++) writeFileSync(path.join(inbox, String(n)), `From: a@b\nSubject: m${n}\n\nbody ${n}\n`);
  lines.push(`u${i}:${hash}:${path.join(base, `m${i}`)}`);
}
const pwfile = path.join(base, "pwfile");
writeFileSync(pwfile, lines.join("\n") + "\n", { mode: 0o600 });

function chownAll(dir) {
  chownSync(dir, 65534, 65534);
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) chownAll(p);
    else chownSync(p, 65534, 65534);
  }
}
function freshMail() {
  for (let i = 0; i < N; i++) {
    const m = path.join(base, `m${i}`);
    for (const e of readdirSync(m)) if (e !== "inbox") rmSync(path.join(m, e), { recursive: true, force: true });
    chownAll(m);
  }
}

const stat = (pid) => {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8");
  const x = f.slice(f.lastIndexOf(")") + 2).split(" ");
  return { ppid: Number(x[1]), cpuMs: (Number(x[11]) + Number(x[12])) * 10 };
};
function tree(root) {
  const all = [];
  for (const e of readdirSync("/proc")) {
    if (!/^\d+$/.test(e)) continue;
    try {
      all.push({ pid: Number(e), ...stat(Number(e)) });
    } catch { /* gone */ }
  }
  const out = [];
  const walk = (p) => { for (const c of all.filter((a) => a.ppid === p)) { out.push(c); walk(c.pid); } };
  walk(root);
  return out;
}

function imap(port, user) {
  return new Promise((resolve, reject) => {
    const s = connect({ host: "127.0.0.1", port, rejectUnauthorized: false });
    let buf = "";
    let step = 0;
    s.on("data", (d) => {
      buf += d.toString("latin1");
      if (step === 0 && buf.includes("* OK")) { step = 1; buf = ""; s.write(`a LOGIN ${user} pw\r\n`); }
      else if (step === 1 && /^a OK/m.test(buf)) { step = 2; buf = ""; s.write("b SELECT INBOX\r\n"); }
      else if (step === 1 && /^a (NO|BAD)/m.test(buf)) reject(new Error(`${user}: ${buf}`));
      else if (step === 2 && /^b OK/m.test(buf)) { step = 3; resolve(s); }
    });
    s.on("error", reject);
  });
}

async function once(entry) {
  freshMail();
  const child = spawn(process.execPath, [entry, "--address", "127.0.0.1", "--port", "0", "--cert", path.join(base, "cert.pem"),
    "--key", path.join(base, "key.pem"), "--pwfile", pwfile, "--run-dir", path.join(base, "run")],
  { stdio: ["ignore", "ignore", "inherit", "ipc"], env: { ...process.env, NODE_ENV: "production", ...extraEnv } });
  const port = await new Promise((res, rej) => {
    child.on("message", (m) => m?.t === "listening" && res(m.port));
    child.once("exit", (c) => rej(new Error(`asimapd exited ${c}`)));
  });
  await new Promise((r) => setTimeout(r, 1500)); // the pool's spare is loaded
  const rootBefore = stat(child.pid).cpuMs;
  const kidsBefore = new Map(tree(child.pid).map((p) => [p.pid, p.cpuMs]));
  const t0 = performance.now();
  const socks = await Promise.all(Array.from({ length: N }, (_, i) => imap(port, `u${i}`)));
  const wall = performance.now() - t0;
  const root = stat(child.pid).cpuMs - rootBefore;
  let users = 0;
  for (const p of tree(child.pid)) users += p.cpuMs - (kidsBefore.get(p.pid) ?? 0);
  for (const s of socks) s.destroy();
  child.kill("SIGTERM");
  await new Promise((r) => child.once("exit", r));
  return { wall, root, users };
}

const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = new Map(values.asimapd.map((a) => [a, []]));
try {
  for (let r = 0; r < Number(values.runs); r++) {
    for (const a of values.asimapd) {
      const x = await once(a);
      results.get(a).push(x);
      console.log(`run ${r + 1} ${a}: wall ${x.wall.toFixed(0)} ms, root CPU ${x.root} ms, user processes CPU ${x.users} ms`);
    }
  }
} finally {
  rmSync(base, { recursive: true, force: true });
}
console.log(`\n${N} users at once, medians: wall ms | root CPU ms | user-process CPU ms | total CPU ms per login | asimapd`);
for (const [a, xs] of results) {
  const root = med(xs.map((x) => x.root));
  const users = med(xs.map((x) => x.users));
  console.log(`${med(xs.map((x) => x.wall)).toFixed(0)} | ${root} | ${users} | ${((root + users) / N).toFixed(1)} | ${a}`);
}
