// nmh's `inc` creates a message file (O_CREAT|O_TRUNC, no lock, no rename) and writes it a moment
// later. A look in between must not make the empty file a message: it would be expunged and
// come back under a new UID once written.
import { afterEach, beforeEach, expect, it } from "vitest";
import { utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { UserStore } from "../../src/store/open-store.js";
import { RACY_LOOK_EVERY_MS } from "../../src/store/stat-trust.js";
import { EMPTY_WAIT_MS } from "../../src/store/rescan.js";
import { endStore, freshStore, msg, type MhHome } from "./helpers.js";

let h: MhHome;
let store: UserStore;
beforeEach(async () => ({ h, store } = await freshStore()));
afterEach(() => endStore(store, h));

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const deep of [false, true]) {
  it(`a file inc has created but not written yet is not a message until written (${deep ? "deep" : "quick"} look)`, async () => {
    const box = await store.mailbox("INBOX");
    await box.append(Buffer.from("Subject: ours\n\nx\n"), []);
    await box.sync();
    const file = join(h.root, "inbox", "2");
    writeFileSync(file, ""); // inc's open
    await box.sync({ deep });
    expect(box.messages().map((r) => r.num)).toEqual([1]);
    writeFileSync(file, msg("from inc"), { flag: "a" }); // inc's write, on the same file
    await pause(RACY_LOOK_EVERY_MS + 50);
    await box.sync(); // no directory stamp moved: the folder was left racy for this look
    const incs = box.messages().filter((r) => r.num === 2);
    expect(incs.map((r) => r.size)).toEqual([Buffer.byteLength(msg("from inc").replace(/\n/g, "\r\n"))]);
    await box.sync({ deep: true });
    expect(box.messages().find((r) => r.num === 2)?.uid).toBe(incs[0].uid);
  });
}

it("an empty file that stays empty becomes a message after a while", async () => {
  const box = await store.mailbox("INBOX");
  const file = join(h.root, "inbox", "1");
  writeFileSync(file, "");
  const old = new Date(Date.now() - EMPTY_WAIT_MS - 1000);
  utimesSync(file, old, old);
  await box.sync();
  expect(box.messages().map((r) => [r.num, r.size])).toEqual([[1, 0]]);
});
