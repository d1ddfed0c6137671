// The README's first command (`make run` = node dist/src/cli/demo.js) serves the demo mail to a
// real client: here on free ports and in a temporary directory, checked with imapflow over TLS
// with the demo's own certificate.
import { afterAll, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ImapFlow } from "imapflow";

const dir = mkdtempSync(join(tmpdir(), "asimap-demo-"));
chmodSync(dir, 0o755); // run as root, the demo's user process runs as nobody and must get through
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("starts a demo server a mail client can log in to and read", async () => {
  const demo = spawn(process.execPath, ["dist/src/cli/demo.js", "--dir", join(dir, "demo"), "--port", "0", "--plain-port", "0"],
    { stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  const port = await new Promise<number>((resolve, reject) => {
    demo.stderr!.on("data", (d: Buffer) => {
      err += d.toString();
      const m = /IMAP over TLS:\s+127\.0\.0\.1:(\d+)/.exec(err);
      if (m) resolve(Number(m[1]));
    });
    demo.once("exit", (code) => reject(new Error(`demo exited ${code}: ${err}`)));
  });
  try {
    expect(err).toContain("user: demo   password: demo");
    const c = new ImapFlow({ host: "localhost", port, secure: true, logger: false,
      tls: { ca: readFileSync(join(dir, "demo", "ssl", "cert.pem")) }, auth: { user: "demo", pass: "demo" } });
    await c.connect();
    const box = await c.mailboxOpen("INBOX");
    expect(box.exists).toBe(8);
    const first = await c.fetchOne("1", { envelope: true });
    expect(first.envelope?.subject).toBeTruthy();
    await c.logout();
  } finally {
    demo.kill("SIGTERM");
    await new Promise((r) => demo.once("exit", r));
  }
});
