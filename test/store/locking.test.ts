// nmh's fcntl lock on .mh_sequences (ENABLE_MH_FILE_LOCKING), and no descriptors without it.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { lockingFromEnv, openUserStore, type UserStore } from "../../src/store/open-store.js";
import { endStore, makeMhHome, msg, type MhHome } from "./helpers.js";

let h: MhHome;
let store: UserStore;
const warnings: string[] = [];
const logger = { warn: (_: object, m?: string) => void warnings.push(m ?? ""), info() {}, debug() {}, error() {} };

beforeEach(() => {
  h = makeMhHome("Unseen-Sequence: unseen\n");
  warnings.length = 0;
});
afterEach(() => endStore(store, h));

/** Another process holding nmh's lock (fcntl F_SETLK write lock) until it is told to stop. */
function holdLock(path: string): Promise<ChildProcess> {
  const py = `import fcntl,sys\nf=open(sys.argv[1],'r+')\nfcntl.lockf(f,fcntl.LOCK_EX)\nprint('locked',flush=True)\nsys.stdin.read()\n`;
  const child = spawn("python3", ["-c", py, path], { stdio: ["pipe", "pipe", "inherit"] });
  return new Promise((resolve) => child.stdout!.once("data", () => resolve(child)));
}

describe("locking", () => {
  it("reads ENABLE_MH_FILE_LOCKING: on unless 0, false or no", () => {
    for (const v of ["", "1", "true", "YES", " yes "]) expect(lockingFromEnv({ ENABLE_MH_FILE_LOCKING: v })).toBe(true);
    for (const v of ["0", "no", "FALSE", " false "]) expect(lockingFromEnv({ ENABLE_MH_FILE_LOCKING: v })).toBe(false);
    expect(lockingFromEnv({})).toBe(true);
  });

  it("waits for nmh's lock, then merges and writes", async () => {
    store = await openUserStore(h.root, { locking: true, lockTimeoutMs: 10_000, logger });
    h.mh("inc", "+inbox", "-file", h.mbox([msg("a"), msg("b")]), "-notruncate", "-silent");
    const box = await store.mailbox("INBOX");
    const seqFile = join(h.root, "inbox", ".mh_sequences");
    const holder = await holdLock(seqFile);
    let done = false;
    const write = box.storeFlags([1], "add", ["\\Flagged"]).then(() => (done = true));
    await new Promise((r) => setTimeout(r, 300));
    expect(done).toBe(false); // still waiting for the lock
    holder.stdin!.end();
    await write;
    expect(readFileSync(seqFile, "utf8")).toBe("cur: 1\nunseen: 1-2\nflagged: 1\n");
    expect(warnings).toEqual([]);
  });

  it("gives up waiting after the timeout, with a warning", async () => {
    store = await openUserStore(h.root, { locking: true, lockTimeoutMs: 150, logger });
    h.mh("inc", "+inbox", "-file", h.mbox([msg("a")]), "-notruncate", "-silent");
    const box = await store.mailbox("INBOX");
    const holder = await holdLock(join(h.root, "inbox", ".mh_sequences"));
    try {
      await box.storeFlags([1], "add", ["\\Seen"]);
      expect(box.get(1)!.flags).toEqual(["\\Seen"]);
      expect(warnings.some((w) => /without the lock/.test(w))).toBe(true);
    } finally {
      holder.stdin!.end();
    }
  });

  it("holds no descriptors for folders without listeners", async () => {
    store = await openUserStore(h.root, {});
    for (let i = 0; i < 40; i++) await store.create(`f${String.fromCharCode(97 + (i % 26))}${i}x`);
    const fds = () => readdirSync("/proc/self/fd").length;
    const before = fds();
    for (const info of await store.list()) if (!info.noselect) await (await store.mailbox(info.name)).sync();
    expect(fds()).toBe(before);
    const listener = () => {};
    const boxes = await Promise.all(["INBOX", "fa0x", "fb1x", "fc2x"].map((n) => store.mailbox(n)));
    for (const b of boxes) b.on("change", listener);
    for (const b of boxes) b.off("change", listener);
    // libuv keeps its one inotify descriptor once made; nothing per folder stays open
    expect(fds()).toBeLessThanOrEqual(before + 1);
  });
});
