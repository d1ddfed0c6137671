// Starts a fresh asimapd (dist build) for recording or replaying a golden trace: a temp copy of
// the trace's mail (file mtimes from its MANIFEST.json, since INTERNALDATE comes from them and
// git does not keep them), a self-signed certificate, a pwfile with one user, tracing on.
import { execFileSync, spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const USER = "tester";
export const PASSWORD = "secret";

/** Copies an MH tree, re-applying the mtimes listed in its MANIFEST.json. */
export function copyMail(from, to) {
  fs.cpSync(from, to, { recursive: true, dereference: true, filter: (s) => path.basename(s) !== "MANIFEST.json" });
  makeWritable(to);
  const manifest = path.join(from, "MANIFEST.json");
  if (fs.existsSync(manifest)) {
    for (const [rel, info] of Object.entries(JSON.parse(fs.readFileSync(manifest, "utf8")))) {
      const p = path.join(to, rel);
      if (fs.existsSync(p)) fs.utimesSync(p, info.mtime, info.mtime);
    }
  }
}

/** The source may be read-only (shared material); the server's copy must not be. */
function makeWritable(p) {
  const st = fs.statSync(p);
  fs.chmodSync(p, st.isDirectory() ? 0o755 : 0o644);
  if (st.isDirectory()) for (const e of fs.readdirSync(p)) makeWritable(path.join(p, e));
}

function chownTree(p, uid, gid) {
  fs.chownSync(p, uid, gid);
  if (fs.statSync(p).isDirectory()) for (const e of fs.readdirSync(p)) chownTree(path.join(p, e), uid, gid);
}

/** Django's pbkdf2_sha256 (what asimapd's pwfile holds). */
function pbkdf2(password, salt = "goldensalt", iterations = 1000) {
  const hash = crypto.pbkdf2Sync(password, salt, iterations, 32, "sha256").toString("base64");
  return `pbkdf2_sha256$${iterations}$${salt}$${hash}`;
}

let certCache;
/**
 * One self-signed certificate per process (key generation is the slow part of a start), kept in
 * memory and written into each server's own directory, so that cleanup() removes the key with
 * the rest: a directory shared by all servers was left in /tmp whenever the process ended
 * without an "exit" event (a vitest worker does).
 */
function selfSignedCert(dir) {
  if (!certCache) {
    const gen = fs.mkdtempSync(path.join(os.tmpdir(), "asimap-golden-cert-"));
    try {
      execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
        "-keyout", path.join(gen, "key.pem"), "-out", path.join(gen, "cert.pem")], { stdio: "ignore" });
      certCache = { cert: fs.readFileSync(path.join(gen, "cert.pem")), key: fs.readFileSync(path.join(gen, "key.pem")) };
    } finally {
      fs.rmSync(gen, { recursive: true, force: true });
    }
  }
  const cert = path.join(dir, "cert.pem");
  const key = path.join(dir, "key.pem");
  fs.writeFileSync(cert, certCache.cert);
  fs.writeFileSync(key, certCache.key, { mode: 0o600 });
  return { cert, key };
}

/**
 * @param {{ mailBefore: string, extraArgs?: string[] }} o
 * @returns {Promise<{ port: number, user: string, password: string, dir: string, mail: string, traceFile: string, stop(): Promise<void> }>}
 */
export async function startAsimapd(o) {
  const cli = path.join(ROOT, "dist/src/cli/asimapd.js");
  if (!fs.existsSync(cli)) throw new Error("dist/src/cli/asimapd.js missing: run `npm run build` first");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "asimap-golden-"));
  fs.chmodSync(dir, 0o755); // the user process runs as the mail's owner and must reach it
  const mail = path.join(dir, "mail");
  copyMail(o.mailBefore, mail);
  // asimapd refuses root-owned mail: as root, the mail belongs to nobody.
  if (process.getuid?.() === 0) chownTree(mail, 65534, 65534);
  const { cert, key } = selfSignedCert(dir);
  const pwfile = path.join(dir, "pwfile");
  fs.writeFileSync(pwfile, `${USER}:${pbkdf2(PASSWORD)}:mail\n`, { mode: 0o600 });
  const traceDir = path.join(dir, "traces");
  const proc = spawn(process.execPath, [cli, "--address", "127.0.0.1", "--port", "0", "--cert", cert, "--key", key,
    "--pwfile", pwfile, "--trace", "--trace-dir", traceDir, "--run-dir", path.join(dir, "run"), ...(o.extraArgs ?? [])], {
    stdio: ["ignore", process.env.GOLDEN_DEBUG ? "inherit" : "pipe", "pipe", "ipc"],
    env: { ...process.env, ASIMAPD_AUTH_FAIL_DELAY_MS: "0" },
  });
  let err = "";
  proc.stdout?.resume();
  proc.stderr.on("data", (d) => (err += d));
  const exited = new Promise((resolve) => proc.once("exit", resolve));
  const port = await new Promise((resolve, reject) => {
    proc.on("message", (m) => m?.t === "listening" && resolve(m.port));
    exited.then((code) => reject(new Error(`asimapd exited ${code}: ${err}`)));
  });
  return {
    port,
    user: USER,
    password: PASSWORD,
    dir,
    mail,
    traceFile: path.join(traceDir, `${USER}-asimapd.trace`),
    async stop() {
      if (proc.exitCode === null) proc.kill("SIGTERM");
      await exited;
    },
    cleanup() {
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
