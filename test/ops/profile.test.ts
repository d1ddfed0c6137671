// ASIMAP_PROFILE_DIR: a short session with profiling on leaves a CPU profile of the root process
// and of the user process (which runs as the mail's owner when the test runs as root).
import { afterEach, expect, it } from "vitest";
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ImapFlow } from "imapflow";
import { makeMail } from "../imap/harness.js";
import { startAsimapd } from "../e2e/server.js";

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((f) => f()));

it("writes a CPU profile for the root and the user process", async () => {
  const mail = makeMail();
  const profiles = mkdtempSync(join(tmpdir(), "asimap-prof-"));
  chmodSync(profiles, 0o1777); // user processes run as the mail owner
  cleanups.push(mail.cleanup, () => rmSync(profiles, { recursive: true, force: true }));
  const server = await startAsimapd(mail.home, mail.root, { ASIMAP_PROFILE_DIR: profiles });
  try {
    const c = new ImapFlow({ host: "127.0.0.1", port: server.tlsPort, secure: true, logger: false,
      tls: { rejectUnauthorized: false }, auth: { user: "tester", pass: "secret" } });
    await c.connect();
    await c.mailboxOpen("INBOX");
    for await (const m of c.fetch("1:*", { envelope: true })) expect(m.envelope).toBeTruthy();
    await c.logout();
  } finally {
    await server.stop();
  }
  // the user process exits after the root's SIGTERM; give it a moment to write its profile
  const deadline = Date.now() + 10_000;
  let files: string[] = [];
  while (Date.now() < deadline) {
    files = readdirSync(profiles);
    if (files.some((f) => f.startsWith("root-")) && files.some((f) => f.startsWith("user-"))) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const root = files.find((f) => /^root-\d+\.cpuprofile$/.test(f));
  const user = files.find((f) => /^user-\d+\.cpuprofile$/.test(f));
  expect({ root, user }).toEqual({ root: expect.any(String), user: expect.any(String) });
  for (const f of [root!, user!]) {
    const prof = JSON.parse(readFileSync(join(profiles, f), "utf8"));
    expect(prof.nodes.length).toBeGreaterThan(10);
    expect(prof.endTime).toBeGreaterThan(prof.startTime);
  }
});
