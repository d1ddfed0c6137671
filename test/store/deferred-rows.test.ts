// A first look at a big folder hands out UIDs at once and writes their rows in later turns
// (src/store/deferred-rows.ts). The rows must all arrive and match the records; a later change
// must find them; and a process killed before the last row must not let the next one hand the
// same UIDs to other messages under the same UIDVALIDITY.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { openUserStore, STATE_DB, type UserStore } from "../../src/store/open-store.js";
import { DEFERRED_ROWS_MIN } from "../../src/store/deferred-rows.js";
import { endStore, freshStore, transpileStore, type MhHome } from "./helpers.js";

const N = DEFERRED_ROWS_MIN + 500;
let h: MhHome;
let store: UserStore;
beforeEach(async () => {
  ({ h, store } = await freshStore("Unseen-Sequence: unseen\n"));
  await store.close();
  const inbox = join(h.root, "inbox");
  for (let i = 1; i <= N; i++) writeFileSync(join(inbox, String(i)), `Subject: m${i}\n\nbody ${i}\n`);
  writeFileSync(join(inbox, ".mh_sequences"), `unseen: 1-${N / 2}\nflagged: 7 ${N}\n`);
});
afterEach(() => endStore(store, h));

function db<T>(fn: (d: Database.Database) => T): T {
  const d = new Database(join(h.root, STATE_DB), { readonly: true });
  try {
    return fn(d);
  } finally {
    d.close();
  }
}
const rows = () => db((d) => d.prepare(
  "SELECT uid, num, flags, modseq FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id WHERE b.path = 'inbox' ORDER BY uid",
).all());
const marker = () => db((d) => d.prepare("SELECT count(*) AS n FROM meta WHERE key LIKE 'rows-pending:%'").get() as { n: number }).n;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("rows of a first look written after it", () => {
  it("all arrive, equal to the records, and the marker goes", async () => {
    store = await openUserStore(h.root);
    const box = await store.mailbox("INBOX");
    const recs = box.messages().map((r) => ({ uid: r.uid, num: r.num, flags: r.flags.join(" "), modseq: r.modseq }));
    expect(recs.length).toBe(N);
    for (let i = 0; i < 100 && marker() > 0; i++) await pause(20);
    expect(marker()).toBe(0);
    expect(rows()).toEqual(recs);
  });

  it("a change right after the first look finds every row (they are written first)", async () => {
    store = await openUserStore(h.root);
    const box = await store.mailbox("INBOX");
    await box.storeFlags([N, N - 1], "add", ["\\Answered"]);
    await box.expunge([3]);
    expect(marker()).toBe(0);
    expect(rows()).toEqual(box.messages().map((r) => ({ uid: r.uid, num: r.num, flags: r.flags.join(" "), modseq: r.modseq })));
    const vv = box.uidValidity;
    await store.close();
    store = await openUserStore(h.root);
    const again = await store.mailbox("INBOX");
    expect(again.uidValidity).toBe(vv);
    expect(again.get(N)!.flags).toEqual(["\\Answered", "\\Flagged", "\\Seen"]);
  });

  it("a process killed before the rows were written leaves the folder a new UIDVALIDITY, and every message a UID", async () => {
    const build = transpileStore();
    let out = "";
    try {
      writeFileSync(join(build, "first-look.mjs"), `
        import { openUserStore } from "./src/store/open-store.js";
        const store = await openUserStore(process.argv[2], {});
        const box = await store.mailbox("INBOX");
        process.stdout.write(JSON.stringify({ vv: box.uidValidity, n: box.messages().length }) + "\\n");
        process.kill(process.pid, "SIGKILL"); // before any later turn could write a row
      `);
      execFileSync(process.execPath, [join(build, "first-look.mjs"), h.root], { env: h.env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    } catch (e) {
      out = (e as { stdout: string }).stdout;
    } finally {
      rmSync(build, { recursive: true, force: true });
    }
    const child = JSON.parse(out.trim()) as { vv: number; n: number };
    expect(child.n).toBe(N);
    expect(marker()).toBe(1);
    expect(rows().length).toBeLessThan(N);
    store = await openUserStore(h.root);
    const box = await store.mailbox("INBOX");
    expect(box.uidValidity).not.toBe(child.vv);
    expect(box.messages().length).toBe(N);
    expect(box.get(1)!.num).toBe(1);
    expect(box.get(7)!.flags).toEqual(["\\Flagged"]);
    await store.close();
    expect(db((d) => d.pragma("integrity_check", { simple: true }))).toBe("ok");
    expect(rows().length).toBe(N);
    expect(marker()).toBe(0);
  });
});
