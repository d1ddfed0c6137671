// The store hands out a message's bytes as ranges and streams (messageBytes, readMessageRange),
// only from the file that still is the record's message: what they give equals the file, a
// stream stopped early leaves nothing open, and a file replaced behind our back is refused.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type UserStore } from "../../src/store/open-store.js";
import { endStore, freshStore, type MhHome } from "./helpers.js";

let h: MhHome;
let store: UserStore;
beforeEach(async () => ({ h, store } = await freshStore()));
afterEach(() => endStore(store, h));

/** A message of about 700 KB: more than two 256 KB reads. */
function bigMessage(): Buffer {
  const lines = ["Subject: big", ""];
  for (let i = 0, n = 0; n < 700_000; i++) n += lines[lines.push(`line ${i} ${"x".repeat(i % 97)}`) - 1].length + 1;
  return Buffer.from(lines.join("\n") + "\n");
}

describe("message bytes", () => {
  it("reads ranges and chunks equal to the file, and a stream stopped early closes cleanly", async () => {
    const box = await store.mailbox("INBOX");
    const uid = await box.append(bigMessage(), []);
    const file = readFileSync(join(h.root, "inbox", String(box.get(uid)!.num)));
    const bytes = await box.messageBytes(uid);
    try {
      expect(bytes.size).toBe(file.length);
      expect((await bytes.read(1000, 300_000)).equals(file.subarray(1000, 300_000))).toBe(true);
      // past the end: only what there is
      expect((await bytes.read(file.length - 10, file.length + 50)).equals(file.subarray(file.length - 10))).toBe(true);
      const got: Buffer[] = [];
      for await (const c of bytes.chunks(5, file.length)) got.push(c);
      expect(got.length).toBeGreaterThan(2);
      expect(Buffer.concat(got).equals(file.subarray(5))).toBe(true);
      for await (const c of bytes.chunks(0, file.length)) if (c.length) break;
    } finally {
      await bytes.close();
    }
    expect(box.readMessageRange(uid, 0, 12).toString()).toBe("Subject: big");
  });

  it("refuses a file that is no longer the record's message", async () => {
    const box = await store.mailbox("INBOX");
    const uid = await box.append(Buffer.from("Subject: a\n\nbody\n"), []);
    writeFileSync(join(h.root, "inbox", String(box.get(uid)!.num)), "Subject: other, longer\n\nbody\n");
    expect(() => box.readMessageRange(uid, 0, 5)).toThrow(expect.objectContaining({ code: "ENOENT" }));
    // the refusal also looks at the folder again: the replaced file is another message
    await expect(box.messageBytes(uid)).rejects.toMatchObject({ code: "EXPUNGEISSUED" });
    expect(box.get(uid)).toBeUndefined();
  });
});
