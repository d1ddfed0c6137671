// The real asimapd takes nmh's lock on `.mh_sequences` while it writes a folder, by default: a
// STORE while nmh (here a stand-in holding the same fcntl lock) is writing waits for it, so
// neither side's change is lost. ENABLE_MH_FILE_LOCKING=false turns it off, as before.
import { afterEach, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { ImapFlow } from "imapflow";
import { makeMail } from "../imap/harness.js";
import { startAsimapd, type E2eServer } from "./server.js";

let mail: ReturnType<typeof makeMail> | null = null;
let server: E2eServer | null = null;
let holder: ChildProcess | null = null;
afterEach(async () => {
  holder?.kill();
  await server?.stop();
  mail?.cleanup();
  mail = server = holder = null;
});

/** Holds nmh's write lock on `path` (as `mark` does while it writes) until its stdin closes. */
async function holdLock(path: string, owner: { uid?: number; gid?: number }): Promise<ChildProcess> {
  const py = "import fcntl,sys\nf=open(sys.argv[1],'r+')\nfcntl.lockf(f,fcntl.LOCK_EX)\nprint('locked',flush=True)\nsys.stdin.read()\n";
  const child = spawn("python3", ["-c", py, path], { stdio: ["pipe", "pipe", "inherit"], ...owner });
  await new Promise((r) => child.stdout!.once("data", r));
  return child;
}

async function storeWhileLocked(env: Record<string, string>): Promise<{ answeredBeforeRelease: boolean }> {
  mail = makeMail();
  server = await startAsimapd(mail.home, mail.root, env);
  const c = new ImapFlow({
    host: "127.0.0.1", port: server.tlsPort, secure: true, logger: false,
    tls: { rejectUnauthorized: false }, auth: { user: "tester", pass: "secret" },
  });
  await c.connect();
  try {
    await c.mailboxOpen("INBOX");
    holder = await holdLock(join(mail.root, "inbox", ".mh_sequences"), server.owner);
    let released = false;
    let answeredBeforeRelease = false;
    const store = c.messageFlagsAdd("3", ["\\Flagged"]).then(() => { answeredBeforeRelease = !released; });
    // long enough for an unlocked STORE to have answered; shorter than the 2 s lock timeout
    await new Promise((r) => setTimeout(r, 700));
    released = true;
    holder.stdin!.end();
    await store;
    return { answeredBeforeRelease };
  } finally {
    await c.logout().catch(() => c.close());
  }
}

describe("nmh's lock", () => {
  it("is taken by default: a STORE waits while nmh holds it", async () => {
    expect((await storeWhileLocked({})).answeredBeforeRelease).toBe(false);
  }, 30_000);

  it("is not taken with ENABLE_MH_FILE_LOCKING=false", async () => {
    expect((await storeWhileLocked({ ENABLE_MH_FILE_LOCKING: "false" })).answeredBeforeRelease).toBe(true);
  }, 30_000);

  it("is taken with ENABLE_MH_FILE_LOCKING=1, as the old server read it", async () => {
    expect((await storeWhileLocked({ ENABLE_MH_FILE_LOCKING: "1" })).answeredBeforeRelease).toBe(false);
  }, 30_000);
});
