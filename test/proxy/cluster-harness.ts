// The pieces of a cluster for the tests: asimapd-auth and nginx's mail proxy as real child
// processes (nginx from Debian's nginx + libnginx-mod-mail, which .ci/run installs: a missing
// nginx fails the test, it is never skipped).
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { connect, createServer } from "node:net";
import * as path from "node:path";
import { DIST } from "../daemon/harness.js";

export interface Proc {
  proc: ChildProcess;
  port: number;
  logs: () => string;
  stop(): Promise<void>;
}

function stopper(proc: ChildProcess): () => Promise<void> {
  const exited = new Promise<void>((res) => proc.once("exit", () => res()));
  return async () => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGTERM");
    await exited;
  };
}

/** Starts dist asimapd-auth on a free loopback port; resolves once it listens. */
export async function startAuth(args: string[], env: Record<string, string> = {}): Promise<Proc> {
  const proc = spawn(process.execPath, [path.join(DIST, "asimapd-auth.js"), "--port", "0", "--debug", ...args], {
    stdio: ["ignore", "pipe", "pipe", "ipc"],
    env: { ...process.env, ASIMAPD_AUTH_FAIL_DELAY_MS: "1000", ASIMAPD_THROTTLE_DELAY_MS: "1000", ...env },
  });
  let out = "";
  proc.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  proc.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    proc.on("message", (m: { t: string; port: number }) => m.t === "listening" && resolve(m.port));
    proc.once("exit", (code) => reject(new Error(`asimapd-auth exited ${code}: ${out}`)));
  });
  return { proc, port, logs: () => out, stop: stopper(proc) };
}

/** Asks as nginx's auth_http module does; returns the response headers. */
export function askAuth(port: number, h: Record<string, string>): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path: "/auth", method: "GET",
      headers: { "Auth-Method": "plain", "Auth-Protocol": "imap", "Auth-Login-Attempt": "1", ...h } }, (res) => {
      res.resume();
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(res.headers)) if (k.startsWith("auth-")) out[k] = String(v);
      resolve(out);
    });
    req.on("error", reject);
    req.end();
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

export const NGINX = "/usr/sbin/nginx";
export const NGINX_MAIL_MODULE = "/usr/lib/nginx/modules/ngx_mail_module.so";

/** Runs nginx in the foreground with `dir/nginx.conf`; resolves once `port` accepts. */
export async function startNginx(dir: string, conf: string, port: number): Promise<Proc> {
  if (!existsSync(NGINX) || !existsSync(NGINX_MAIL_MODULE)) {
    throw new Error(`${NGINX} or ${NGINX_MAIL_MODULE} missing: apt-get install nginx libnginx-mod-mail (.ci/run does)`);
  }
  writeFileSync(path.join(dir, "nginx.conf"), conf);
  const proc = spawn(NGINX, ["-p", dir, "-c", "nginx.conf", "-g", "daemon off;"], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  proc.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  proc.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const logs = () => out + (existsSync(path.join(dir, "error.log")) ? readFileSync(path.join(dir, "error.log"), "utf8") : "");
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`nginx exited ${proc.exitCode}: ${logs()}`);
    if (await accepts(port)) break;
    if (Date.now() > deadline) throw new Error(`nginx does not listen on ${port}: ${logs()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { proc, port, logs, stop: stopper(proc) };
}

/** Whether something accepts connections on 127.0.0.1:port. */
export function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ port, host: "127.0.0.1" });
    s.once("connect", () => { s.destroy(); resolve(true); }).once("error", () => resolve(false));
  });
}
