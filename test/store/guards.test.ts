// Each APPEND keeps a guard copy for a few seconds, because nmh's inc may write over the new file
// (it opens O_TRUNC). The guard must never bring back a message that was expunged or rmm'd and
// whose number went to the next message.
import { afterEach, beforeEach, expect, it } from "vitest";
import { renameSync } from "node:fs";
import { join } from "node:path";
import { type UserStore } from "../../src/store/index.js";
import { endStore, freshStore, type MhHome } from "./helpers.js";

let h: MhHome;
let store: UserStore;
beforeEach(async () => ({ h, store } = await freshStore()));
afterEach(() => endStore(store, h));

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

it("an expunged APPEND stays expunged when the next APPEND reuses its number", async () => {
  const box = await store.mailbox("Junk");
  const a = await box.append(Buffer.from("Subject: deleted one\n\nx\n"), ["\\Deleted"]);
  await box.expunge([a]);
  const b = await box.append(Buffer.from("Subject: the next one\n\ny\n"), []);
  await pause(250); // past the guards' recheck interval
  await box.sync();
  expect(box.messages().map((m) => m.uid)).toEqual([b]);
});

it("a message removed by rmm stays removed when an APPEND reuses its number", async () => {
  const box = await store.mailbox("Junk");
  await box.append(Buffer.from("Subject: rmm'd\n\nx\n"), []);
  renameSync(join(h.root, "Junk", "1"), join(h.root, "Junk", ",1")); // what rmm does
  await pause(250);
  await box.sync();
  const b = await box.append(Buffer.from("Subject: the next one\n\ny\n"), []);
  await pause(250);
  await box.sync();
  expect(box.messages().map((m) => m.uid)).toEqual([b]);
});
