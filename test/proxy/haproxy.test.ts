// HAProxy in TCP mode in front of asimapd: `send-proxy-v2` before TLS on the TLS port,
// `send-proxy` (v1) on the plain port, and its health checks as v2 LOCAL headers. The backend
// logs the client's address, never HAProxy's, and takes the checks without a warning.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { Client, freshLoopback, makeCert, startDaemon, tempDir, until, usersWithMail, type Daemon } from "../daemon/harness.js";
import { accepts, freePort } from "./cluster-harness.js";

const HAPROXY = "/usr/sbin/haproxy";
let d: Daemon;
let haproxy: ChildProcess;
let haproxyOut = "";
let tlsFront: number;
let plainFront: number;

beforeAll(async () => {
  if (!existsSync(HAPROXY)) throw new Error(`${HAPROXY} missing: apt-get install haproxy (.ci/run does)`);
  const dir = tempDir();
  const pwfile = await usersWithMail(dir, ["alice"]);
  const { cert, key } = makeCert();
  d = await startDaemon(["--cert", cert, "--key", key, "--pwfile", pwfile, "--plain-port", "0", "--run-dir", `${dir}/run`,
    "--trusted-proxies", "127.0.0.1", "--debug"]);
  tlsFront = await freePort();
  plainFront = await freePort();
  const cfg = path.join(dir, "haproxy.cfg");
  writeFileSync(cfg, `
defaults
  mode tcp
  timeout connect 5s
  timeout client 1m
  timeout server 1m
frontend imaps
  bind 127.0.0.1:${tlsFront}
  default_backend asimapd_tls
backend asimapd_tls
  server a 127.0.0.1:${d.port} send-proxy-v2 check check-send-proxy inter 300ms
frontend imap
  bind 127.0.0.1:${plainFront}
  default_backend asimapd_plain
backend asimapd_plain
  server a 127.0.0.1:${d.plainPort} send-proxy
`);
  haproxy = spawn(HAPROXY, ["-db", "-f", cfg], { stdio: ["ignore", "pipe", "pipe"] });
  haproxy.stdout!.on("data", (b: Buffer) => (haproxyOut += b.toString()));
  haproxy.stderr!.on("data", (b: Buffer) => (haproxyOut += b.toString()));
  const deadline = Date.now() + 10_000;
  while (!(await accepts(tlsFront)) || !(await accepts(plainFront))) {
    if (haproxy.exitCode !== null || Date.now() > deadline) throw new Error(`haproxy does not listen: ${haproxyOut}`);
    await new Promise((r) => setTimeout(r, 100));
  }
});
afterAll(async () => {
  haproxy?.kill("SIGTERM");
  await d?.stop();
});

const logs = () => d.logs().trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);

describe("behind HAProxy", () => {
  it("send-proxy-v2 on the TLS port: the backend sees the client", async () => {
    const from = freshLoopback();
    const c = await Client.tls(tlsFront, "127.0.0.1", from);
    expect((await c.cmd("LOGIN alice pw")).at(-1)).toMatch(/OK \[CAPABILITY/);
    expect((await c.cmd("SELECT INBOX")).at(-1)).toMatch(/OK/);
    expect(await until(() => logs().some((l) => l.msg === "logged in" && String(l.remote).startsWith(`${from}:`)))).toBe(true);
    c.close();
  });

  it("send-proxy (v1) on the plain port: the backend sees the client", async () => {
    const from = freshLoopback();
    const c = await Client.plain(plainFront, "127.0.0.1", from);
    expect((await c.cmd("LOGIN alice pw")).at(-1)).toMatch(/OK \[CAPABILITY/);
    expect(await until(() => logs().some((l) => l.msg === "logged in" && String(l.remote).startsWith(`${from}:`)))).toBe(true);
    c.close();
  });

  it("its health checks (v2 LOCAL) are taken without a warning", async () => {
    // a check connects, says LOCAL and hangs up: at most a debug line about the TLS it never
    // began, or (reset before we looked) about a connection already gone
    const checked = (l: Record<string, unknown>) => l.msg === "connection gone before it was accepted" ||
      (l.msg === "TLS handshake failed" && String(l.remote).startsWith("127.0.0.1:"));
    expect(await until(() => logs().filter(checked).length >= 3, 30_000)).toBe(true);
    expect(logs().filter((l) => Number(l.level) >= 40).map((l) => `${String(l.msg)} ${String(l.remote)}`)).toEqual([]);
  });
});
