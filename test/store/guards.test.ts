// Each APPEND keeps a guard copy for a few seconds, because nmh's inc may write over the new file
// (it opens O_TRUNC). The guard must never bring back a message that was expunged or rmm'd and
// whose number went to the next message.
import { afterEach, beforeEach, expect, it, vi } from "vitest";
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type MhMailbox, type UserStore } from "../../src/store/open-store.js";
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

for (const [what, size] of [["small (kept in memory)", 100], ["large (kept as a dot file)", 400 * 1024]] as const) {
  it(`an APPEND written over in place by inc comes back under a new number with its flags: ${what}`, async () => {
    const box = await store.mailbox("INBOX");
    const ours = Buffer.from(`Subject: ours\n\n${"o".repeat(size)}\n`);
    const date = new Date("2021-05-06T07:08:09Z");
    const uid = await box.append(ours, ["\\Flagged", "\\Seen"], date);
    // what inc does when it read the folder before our link: O_TRUNC on the same number
    const theirs = "Subject: from inc\n\nnew mail\n";
    writeFileSync(join(h.root, "inbox", "1"), theirs, { flag: "w" });
    await (box as MhMailbox).sync({ deep: true });
    const recs = box.messages();
    expect(recs.map((r) => r.uid)).not.toContain(uid);
    const bodies = recs.map((r) => readFileSync(box.messagePath(r.uid)));
    expect(bodies.map((b) => b.toString())).toContain(theirs);
    const restored = recs.find((_, i) => bodies[i].equals(ours));
    expect(restored, "our message is back").toBeDefined();
    expect(restored!.flags).toEqual(["\\Flagged", "\\Seen"]);
    expect(restored!.internalDate.getTime()).toBe(date.getTime());
  });
}

it("an APPEND written over by inc comes back with its own flags, not the unseen mark inc gave the number", async () => {
  await endStore(store, h);
  ({ h, store } = await freshStore("Unseen-Sequence: unseen\n"));
  writeFileSync(join(h.root, "inbox", ".mh_sequences"), ""); // rewritten in place from here on, as by inc
  const box = (await store.mailbox("INBOX")) as MhMailbox;
  const ours = Buffer.from("Subject: ours\n\nx\n");
  await box.append(ours, ["\\Seen"]);
  await box.sync(); // the guards were looked at just now: the next sync leaves them be
  const now = Date.now();
  vi.spyOn(Date, "now").mockReturnValue(now);
  try {
    // inc, which read the folder before our link: writes over 1, then adds 1 to `unseen`
    const theirs = "Subject: from inc\n\nnew mail\n";
    writeFileSync(join(h.root, "inbox", "1"), theirs, { flag: "w" });
    h.mh("mark", "+inbox", "1", "-sequence", "unseen", "-add");
    await box.sync(); // reads the new sequences before any look at the guards
    expect(box.messages()[0].flags).toEqual([]);
  } finally {
    vi.restoreAllMocks();
  }
  await box.sync({ deep: true });
  const restored = box.messages().find((r) => readFileSync(box.messagePath(r.uid)).equals(ours));
  expect(restored, "our message is back").toBeDefined();
  expect(restored!.flags).toEqual(["\\Seen"]);
});

it("an APPEND written over by inc comes back with the flags STOREd on it since", async () => {
  const box = (await store.mailbox("INBOX")) as MhMailbox;
  const ours = Buffer.from("Subject: ours\n\nx\n");
  const uid = await box.append(ours, ["\\Seen"]);
  await box.storeFlags([uid], "add", ["\\Flagged", "kw"]);
  await box.storeFlags([uid], "remove", ["\\Seen"]);
  writeFileSync(join(h.root, "inbox", "1"), "Subject: from inc\n\nnew mail\n", { flag: "w" });
  await box.sync({ deep: true });
  const restored = box.messages().find((r) => readFileSync(box.messagePath(r.uid)).equals(ours));
  expect(restored, "our message is back").toBeDefined();
  expect(restored!.flags).toEqual(["\\Flagged", "kw"]);
});
