// A state database made before the umask fix (0644) is made private when the store opens it.
import { afterEach, beforeEach, expect, it } from "vitest";
import { chmodSync, existsSync, statSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { openUserStore, STATE_DB } from "../../src/store/open-store.js";
import { makeMhHome, type MhHome } from "./helpers.js";

let h: MhHome;
beforeEach(() => {
  h = makeMhHome();
});
afterEach(() => h.cleanup());

const mode = (p: string) => statSync(p).mode & 0o777;

it("makes a 0644 database and its -wal/-shm files 0600 on open", async () => {
  const path = join(h.root, STATE_DB);
  // an old server's database, still open elsewhere so its -wal and -shm files exist
  const old = new Database(path);
  old.pragma("journal_mode = WAL");
  old.exec("CREATE TABLE t (x); INSERT INTO t VALUES (1);");
  const files = [path, `${path}-wal`, `${path}-shm`];
  for (const f of files) {
    expect(existsSync(f)).toBe(true);
    chmodSync(f, 0o644);
  }
  const store = await openUserStore(h.root, {});
  try {
    for (const f of files) expect(mode(f), f).toBe(0o600);
    // still a working store
    const box = await store.mailbox("INBOX");
    expect(await box.append(Buffer.from("Subject: x\n\nhi\n"), [])).toBe(1);
  } finally {
    await store.close();
    old.close();
  }
});

it("leaves a private database as it is", async () => {
  const first = await openUserStore(h.root, {});
  await first.close();
  const path = join(h.root, STATE_DB);
  chmodSync(path, 0o600);
  const store = await openUserStore(h.root, {});
  expect(mode(path)).toBe(0o600);
  await store.close();
});
