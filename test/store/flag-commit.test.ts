// A flag change visits only the records whose numbers changed membership (see num-index.ts). It
// must still land on the right message when numbers are not in UID order (after sortm), leave
// the array an earlier caller holds untouched (views share it), and agree with flags worked
// out from scratch by a fresh process.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { openUserStore, STATE_DB, type Mailbox, type UserStore } from "../../src/store/open-store.js";
import { endStore, freshStore, msg, type MhHome } from "./helpers.js";

let h: MhHome;
let store: UserStore;
beforeEach(async () => ({ h, store } = await freshStore("Unseen-Sequence: unseen\n")));
afterEach(() => endStore(store, h));

const subj = (box: Mailbox, uid: number) => /Subject: (.*)/.exec(readFileSync(box.messagePath(uid), "utf8"))![1];
const flagsBySubject = (box: Mailbox) =>
  Object.fromEntries(box.messages().map((r) => [subj(box, r.uid), r.flags.join(" ")]));

/** Six messages dated newest first, so `sortm` reverses their numbers against their UIDs. */
async function reversedFolder(): Promise<Mailbox> {
  const days = ["06", "05", "04", "03", "02", "01"];
  h.mh("inc", "+inbox", "-file", h.mbox(days.map((d) =>
    msg(`day${d}`).replace("Subject:", `Date: ${d} Jan 2024 00:00:00 +0000\nSubject:`))), "-notruncate", "-silent");
  const box = await store.mailbox("INBOX");
  h.mh("sortm", "+inbox");
  await box.sync();
  // UID order is now the reverse of number order
  expect(box.messages().map((r) => r.num)).toEqual([6, 5, 4, 3, 2, 1]);
  return box;
}

describe("flag commits that visit only the changed numbers", () => {
  it("STORE after sortm changes the message asked for, and the array held before is unchanged", async () => {
    const box = await reversedFolder();
    const held = box.messages();
    const heldCopy = held.map((r) => [r.uid, r.num, r.flags.join(" "), r.modseq]);
    const res = await box.storeFlags([2], "add", ["\\Flagged", "\\Seen"]); // "day05", number 5
    expect(res.changed.map((r) => r.uid)).toEqual([2]);
    expect(box.get(2)!.flags).toEqual(["\\Flagged", "\\Seen"]);
    expect(subj(box, 2)).toBe("day05");
    expect(held.map((r) => [r.uid, r.num, r.flags.join(" "), r.modseq])).toEqual(heldCopy);
    expect(box.messages()).not.toBe(held);
    // untouched records are the same objects: nothing else was rebuilt
    for (const [i, r] of box.messages().entries()) if (r.uid !== 2) expect(r).toBe(held[i]);
  });

  it("nmh's mark after sortm reaches the right records; an append after it keeps the lookup right", async () => {
    const box = await reversedFolder();
    h.mh("mark", "+inbox", "1", "-sequence", "flagged", "-add"); // number 1 is day01, UID 6
    h.mh("mark", "+inbox", "6", "-sequence", "unseen", "-delete"); // number 6 is day06, UID 1
    await box.sync();
    expect(box.get(6)!.flags).toEqual(["\\Flagged"]);
    expect(box.get(1)!.flags).toEqual(["\\Seen"]);
    const uid = await box.append(Buffer.from(msg("new")), []);
    await box.storeFlags([uid, 3], "add", ["\\Answered"]);
    expect(box.get(uid)!.flags).toEqual(["\\Answered"]);
    expect(subj(box, 3)).toBe("day04");
    expect(box.get(3)!.flags).toEqual(["\\Answered"]);
    const mine = flagsBySubject(box);
    // a fresh process works every flag out from .mh_sequences and the files
    await store.close();
    store = await openUserStore(h.root);
    const again = await store.mailbox("INBOX");
    await again.sync({ deep: true });
    expect(flagsBySubject(again)).toEqual(mine);
  });

  it("a flag change with nothing to do leaves the records array as it was", async () => {
    const box = await reversedFolder();
    await box.storeFlags([4], "add", ["\\Seen"]);
    const held = box.messages();
    const res = await box.storeFlags([4], "add", ["\\Seen"]);
    expect(res.changed).toEqual([]);
    expect(box.messages()).toBe(held);
  });

  it("rows in the database match the records after a STORE over runs with gaps (range updates)", async () => {
    h.mh("inc", "+inbox", "-file", h.mbox(Array.from({ length: 30 }, (_, i) => msg(`m${i + 1}`))), "-notruncate", "-silent");
    const box = await store.mailbox("INBOX");
    await box.storeFlags([10, 11], "add", ["\\Flagged"]); // already flagged: left out of the change
    await box.expunge([20]);
    const before = box.get(10)!.modseq;
    const res = await box.storeFlags(Array.from({ length: 30 }, (_, i) => i + 1), "add", ["\\Flagged"]);
    expect(res.changed.map((r) => r.uid)).toEqual([...Array.from({ length: 9 }, (_, i) => i + 1), ...Array.from({ length: 19 }, (_, i) => i + 12).filter((u) => u !== 20)]);
    expect(box.get(10)!.modseq).toBe(before);
    const db = new Database(join(h.root, STATE_DB), { readonly: true });
    try {
      const rows = db.prepare("SELECT uid, flags, modseq FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id WHERE b.path = 'inbox' ORDER BY uid").all();
      expect(rows).toEqual(box.messages().map((r) => ({ uid: r.uid, flags: r.flags.join(" "), modseq: r.modseq })));
    } finally {
      db.close();
    }
  });

  it("a STORE that changes nothing leaves .mh_sequences as it is, and nmh's later mark is still seen", async () => {
    const box = await reversedFolder();
    await box.storeFlags([2], "add", ["\\Seen"]);
    const file = join(h.root, "inbox", ".mh_sequences");
    const before = statSync(file, { bigint: true });
    const modseq = box.highestModseq;
    const res = await box.storeFlags([2], "add", ["\\Seen"]);
    expect(res.changed).toEqual([]);
    const after = statSync(file, { bigint: true });
    expect([after.ino, after.mtimeNs, after.size]).toEqual([before.ino, before.mtimeNs, before.size]);
    expect(box.highestModseq).toBe(modseq);
    h.mh("mark", "+inbox", "1", "-sequence", "flagged", "-add"); // number 1 is UID 6
    await box.sync();
    expect(box.get(6)!.flags).toEqual(["\\Flagged"]);
  });
});
