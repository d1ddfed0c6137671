#!/usr/bin/env node
// The demo (`make run`): creates ./demo/ once (user `demo`, password `demo`, a copy of the
// fixture MH mail, a self-signed certificate made with the openssl CLI) and runs asimapd on
// 127.0.0.1:9993 (TLS) and 127.0.0.1:9143 (plaintext + STARTTLS). No root needed.
import { Command } from "commander";
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { makePassword } from "../daemon/hashers.js";
import { ConfigError, startAsimapd } from "./asimapd-run.js";
import { chownTree } from "./chown-tree.js";

const FIXTURE = ["../../test/fixtures/mail-before", "../../../test/fixtures/mail-before"]
  .map((p) => fileURLToPath(new URL(p, import.meta.url))).find((p) => existsSync(p));

async function createDemo(dir: string): Promise<void> {
  mkdirSync(path.join(dir, "ssl"), { recursive: true });
  const mail = path.join(dir, "mail");
  if (!existsSync(mail)) {
    if (!FIXTURE) throw new Error("test/fixtures/mail-before not found: run from the source tree");
    cpSync(FIXTURE, mail, { recursive: true, filter: (src) => path.basename(src) !== "MANIFEST.json" });
    // INTERNALDATE is the file's mtime: give the messages their recorded dates back.
    const manifest = JSON.parse(readFileSync(path.join(FIXTURE, "MANIFEST.json"), "utf8")) as
      Record<string, { mtime: number }>;
    for (const [rel, { mtime }] of Object.entries(manifest)) {
      const f = path.join(mail, rel);
      if (existsSync(f)) utimesSync(f, mtime, mtime);
    }
    mkdirSync(path.join(dir, "traces"), { recursive: true });
  }
  const pwfile = path.join(dir, "pwfile");
  if (!existsSync(pwfile)) {
    writeFileSync(pwfile, `# asimap demo accounts: user:password hash:mail directory (relative to this file)\n` +
      `demo:${await makePassword("demo")}:mail\n`, { mode: 0o600 });
  }
  const cert = path.join(dir, "ssl", "cert.pem");
  if (!existsSync(cert)) {
    execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "3650",
      "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
      "-keyout", path.join(dir, "ssl", "key.pem"), "-out", cert], { stdio: ["ignore", "ignore", "pipe"] });
  }
  // A user process never runs as root: when the demo is run by root, the mail goes to `nobody`.
  if (process.getuid?.() === 0) chownTree(mail, 65534, 65534);
}

async function main(): Promise<void> {
  const o = new Command("asimap-demo")
    .option("--dir <dir>", "demo directory", "demo")
    .option("--port <p>", "TLS port", "9993")
    .option("--plain-port <p>", "plaintext + STARTTLS port", "9143")
    .parse(process.argv)
    .opts<{ dir: string; port: string; plainPort: string }>();
  const dir = path.resolve(o.dir);
  await createDemo(dir);
  const running = await startAsimapd({
    address: "127.0.0.1", port: Number(o.port), plainPort: Number(o.plainPort),
    cert: path.join(dir, "ssl", "cert.pem"), key: path.join(dir, "ssl", "key.pem"),
    pwfile: path.join(dir, "pwfile"), trace: false, traceDir: path.join(dir, "traces"), debug: false,
    lingerMs: 30 * 60_000, userNodeOptions: [],
  });
  process.stderr.write(`
asimap demo running (Ctrl-C stops it). Files in ${dir}.
  IMAP over TLS:        127.0.0.1:${running.port}   (self-signed certificate: ${dir}/ssl/cert.pem)
  IMAP with STARTTLS:   127.0.0.1:${running.plainPort}
  user: demo   password: demo

Try it:
  python3 -c 'import imaplib,ssl; c=ssl.create_default_context(cafile="${dir}/ssl/cert.pem"); m=imaplib.IMAP4_SSL("localhost",${running.port},ssl_context=c); m.login("demo","demo"); print(m.select("INBOX")); print(m.fetch("1:*","(FLAGS ENVELOPE)")); m.logout()'
  openssl s_client -quiet -connect 127.0.0.1:${running.port}      then type: a LOGIN demo demo
  mutt -f 'imaps://demo@localhost:${running.port}/'              (accept the certificate once)
  Thunderbird: server localhost, port ${running.port}, SSL/TLS, normal password, user demo
               (or port ${running.plainPort} with STARTTLS); accept the certificate exception.
Mail changes go to ${dir}/mail (MH folders): try nmh's scan/inc on it while a client is connected.
`);
  const stop = () => running.stop().then(() => process.exit(0), () => process.exit(1));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((e: unknown) => {
  process.stderr.write(`asimap demo: ${(e as Error).message}\n`);
  process.exit(e instanceof ConfigError ? 2 : 1);
});
