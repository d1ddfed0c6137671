#!/usr/bin/env node
// The proxy's own cost: the same session (TLS, LOGIN, SELECT INBOX, FETCH 1:* of whole
// messages, LOGOUT) run directly against an asimapd backend and through nginx's mail proxy
// (auth_http to asimapd-auth, PROXY header, plain IMAP to the backend), alternating run by run.
// Reports the median wall time of a session and the CPU (/proc) every process spent per session.
//   node bench/through-proxy.mjs [--users 20] [--runs 5] [--messages 20]
// Needs root (the mail is given to nobody), openssl, nginx and libnginx-mod-mail, and a build.
import { execFileSync, spawn } from "node:child_process";
import { pbkdf2Sync } from "node:crypto";
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";

const { values } = parseArgs({ options: {
  users: { type: "string", default: "20" }, runs: { type: "string", default: "5" }, messages: { type: "string", default: "20" },
} });
if (process.getuid() !== 0) throw new Error("run as root: the mail is given to nobody");
const N = Number(values.users);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const CLI = path.join(ROOT, "dist/src/cli");

const base = mkdtempSync(path.join(tmpdir(), "through-proxy-"));
chmodSync(base, 0o755);
const cert = path.join(base, "cert.pem");
const key = path.join(base, "key.pem");
execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
  "-keyout", key, "-out", cert], { stdio: "ignore" });
const salt = "proxysalt";
const hash = `pbkdf2_sha256$10000$${salt}$${pbkdf2Sync("pw", salt, 10000, 32, "sha256").toString("base64")}`;
const lines = [];
const body = "x".repeat(70) + "\n";
for (let i = 0; i < N; i++) {
  const inbox = path.join(base, `m${i}`, "inbox");
  mkdirSync(inbox, { recursive: true });
  for (let n = 1; n <= Number(values.messages); n++) {
    writeFileSync(path.join(inbox, String(n)), `From: a@b\nSubject: m${n}\n\n${body.repeat(60)}`);
  }
  for (const d of [path.join(base, `m${i}`), inbox, ...readdirSync(inbox).map((f) => path.join(inbox, f))]) chownSync(d, 65534, 65534);
  lines.push(`u${i}:${hash}:${path.join(base, `m${i}`)}`);
}
const pwfile = path.join(base, "pwfile");
writeFileSync(pwfile, lines.join("\n") + "\n", { mode: 0o600 });

const freePort = () => new Promise((res) => { const s = createServer().listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => res(p)); }); });
const accepts = (port) => new Promise((res) => { const s = connect({ port, host: "127.0.0.1" }); s.once("connect", () => { s.destroy(); res(true); }).once("error", () => res(false)); });
async function waitPort(port, proc) {
  for (let i = 0; i < 100 && !(await accepts(port)); i++) {
    if (proc.exitCode !== null) throw new Error(`${proc.spawnargs[0]} exited ${proc.exitCode}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
const startNode = (script, args) => {
  const child = spawn(process.execPath, [path.join(CLI, script), ...args], { stdio: ["ignore", "ignore", "inherit", "ipc"],
    env: { ...process.env, NODE_ENV: "production" } });
  const port = new Promise((res, rej) => {
    child.on("message", (m) => m?.t === "listening" && res(m));
    child.once("exit", (c) => rej(new Error(`${script} exited ${c}`)));
  });
  return { child, port };
};

const stat = (pid) => {
  const x = readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = x.slice(x.lastIndexOf(")") + 2).split(" ");
  return { ppid: Number(f[1]), cpuMs: (Number(f[11]) + Number(f[12])) * 10 };
};
/** CPU ms of a process and all its descendants */
function treeCpu(root) {
  const all = [];
  for (const e of readdirSync("/proc")) {
    if (!/^\d+$/.test(e)) continue;
    try { all.push({ pid: Number(e), ...stat(Number(e)) }); } catch { /* gone */ }
  }
  let sum = 0;
  const walk = (p) => { for (const c of all.filter((a) => a.ppid === p)) { sum += c.cpuMs; walk(c.pid); } };
  try { sum += stat(root).cpuMs; } catch { /* gone */ }
  walk(root);
  return sum;
}

/** One session; resolves with its wall time in ms. */
function session(port, user) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    // (from 127.0.0.2: 127.0.0.1 is nginx, the proxy the backend trusts)
    const s = tlsConnect({ host: "127.0.0.1", port, rejectUnauthorized: false, localAddress: "127.0.0.2" });
    let buf = "";
    let step = 0;
    const send = (line) => { buf = ""; s.write(line); };
    s.on("data", (d) => {
      buf += d.toString("latin1");
      if (step === 0 && buf.includes("* OK")) { step = 1; send(`a LOGIN ${user} pw\r\n`); }
      else if (step === 1 && /^a OK/m.test(buf)) { step = 2; send("b SELECT INBOX\r\n"); }
      else if (/^[ab] (NO|BAD)/m.test(buf)) reject(new Error(`${user}: ${buf.slice(-200)}`));
      else if (step === 2 && /^b OK/m.test(buf)) { step = 3; send("c FETCH 1:* (FLAGS BODY.PEEK[])\r\n"); }
      else if (step === 3 && /\r\nc OK/.test(buf)) { step = 4; send("d LOGOUT\r\n"); }
      else if (step === 4 && /^d OK/m.test(buf)) { s.destroy(); resolve(performance.now() - t0); }
    });
    s.on("error", reject);
  });
}

const backend = startNode("asimapd.js", ["--address", "127.0.0.1", "--port", "0", "--plain-port", "0", "--cert", cert, "--key", key,
  "--pwfile", pwfile, "--run-dir", path.join(base, "run"), "--trusted-proxies", "127.0.0.1"]);
const { port: direct, plainPort } = await backend.port;
const shards = path.join(base, "shards");
writeFileSync(shards, `* 127.0.0.1:${plainPort}\n`);
const auth = startNode("asimapd-auth.js", ["--port", "0", "--pwfile", pwfile, "--shard-map", shards]);
const { port: authPort } = await auth.port;
const proxied = await freePort();
writeFileSync(path.join(base, "nginx.conf"), `load_module /usr/lib/nginx/modules/ngx_mail_module.so;
worker_processes 1;
error_log ${base}/error.log;
pid ${base}/nginx.pid;
events { worker_connections 1024; }
mail {
  auth_http 127.0.0.1:${authPort}/auth;
  proxy_pass_error_message on;
  proxy_protocol on;
  imap_auth plain login;
  ssl_certificate ${cert};
  ssl_certificate_key ${key};
  server { listen 127.0.0.1:${proxied} ssl; protocol imap; }
}
`);
const nginx = spawn("nginx", ["-p", base, "-c", "nginx.conf", "-g", "daemon off;"], { stdio: "inherit" });
const results = { direct: [], proxy: [] };
try {
  await waitPort(proxied, nginx);
  for (let i = 0; i < N; i++) await session(direct, `u${i}`); // warm: user processes, caches
  for (let i = 0; i < N; i++) await session(proxied, `u${i}`);
  for (let r = 0; r < Number(values.runs); r++) {
    for (const [mode, port] of [["direct", direct], ["proxy", proxied]]) {
      const before = { backend: treeCpu(backend.child.pid), nginx: treeCpu(nginx.pid), auth: treeCpu(auth.child.pid) };
      const walls = [];
      for (let i = 0; i < N; i++) walls.push(await session(port, `u${i}`));
      const cpu = {
        backend: treeCpu(backend.child.pid) - before.backend,
        nginx: treeCpu(nginx.pid) - before.nginx,
        auth: treeCpu(auth.child.pid) - before.auth,
      };
      results[mode].push({ wall: med(walls), cpu });
      console.log(`run ${r + 1} ${mode}: median session ${med(walls).toFixed(1)} ms; CPU ms per session: ` +
        Object.entries(cpu).map(([k, v]) => `${k} ${(v / N).toFixed(1)}`).join(", "));
    }
  }
} finally {
  nginx.kill("SIGTERM");
  auth.child.kill("SIGTERM");
  backend.child.kill("SIGTERM");
  await new Promise((r) => backend.child.once("exit", r));
  rmSync(base, { recursive: true, force: true });
}
function med(xs) { return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]; }
const summary = (mode) => {
  const xs = results[mode];
  const part = (k) => med(xs.map((x) => x.cpu[k])) / N;
  return { wall: med(xs.map((x) => x.wall)), backend: part("backend"), nginx: part("nginx"), auth: part("auth") };
};
const d = summary("direct");
const p = summary("proxy");
console.log(`\n${N} users, ${values.messages} messages of ~4 KB each, ${values.runs} runs, medians per session:`);
console.log("| path | wall ms | backend CPU ms | nginx CPU ms | asimapd-auth CPU ms |\n|---|---|---|---|---|");
for (const [name, x] of [["direct (TLS to asimapd)", d], ["through nginx", p]]) {
  console.log(`| ${name} | ${x.wall.toFixed(1)} | ${x.backend.toFixed(1)} | ${x.nginx.toFixed(1)} | ${x.auth.toFixed(1)} |`);
}
console.log(`ratio through nginx / direct: wall ${(p.wall / d.wall).toFixed(2)}, ` +
  `CPU ${((p.backend + p.nginx + p.auth) / (d.backend + d.nginx + d.auth)).toFixed(2)}`);
