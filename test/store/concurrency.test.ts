// nmh (inc, mark) and the store writing the same folder at the same time, in a loop.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { openUserStore, type UserStore } from "../../src/store/open-store.js";
import { parseSequences } from "../../src/mh/sequences.js";
import { endStore, makeMhHome, msg, NMH, type MhHome } from "./helpers.js";

const run = promisify(execFile);
let h: MhHome;
let store: UserStore;
beforeEach(() => {
  h = makeMhHome("Unseen-Sequence: unseen\n");
});
afterEach(() => endStore(store, h));

const ROUNDS = 15;

async function hammer(locking: boolean) {
  store = await openUserStore(h.root, { locking });
  const box = await store.mailbox("INBOX");
  const mh = (cmd: string, ...args: string[]) => run(join(NMH, cmd), args, { env: h.env });
  // seed so both sides have messages to mark from the start
  await mh("inc", "+inbox", "-file", h.mbox([msg("seed-1"), msg("seed-2")]), "-notruncate", "-silent");
  await box.sync();
  const nmhMarked = new Set<string>(); // subjects nmh put in its sequence
  const storeMarked = new Set<string>(); // subjects the store gave its keyword
  const subjectOfNum = (n: number) => /Subject: (.*)/.exec(readFileSync(join(h.root, "inbox", String(n)), "utf8"))![1];
  for (let i = 0; i < ROUNDS; i++) {
    const recs = box.messages();
    const mine = recs[i % recs.length];
    const nmhTarget = recs[(i * 7 + 1) % recs.length];
    const nmhSubject = subjectOfNum(nmhTarget.num);
    await Promise.all([
      mh("inc", "+inbox", "-file", h.mbox([msg(`inc-${i}`)]), "-notruncate", "-silent"),
      mh("mark", "+inbox", String(nmhTarget.num), "-sequence", "bynmh", "-add"),
      box.append(Buffer.from(`Subject: app-${i}\n\nx\n`), ["\\Seen"]),
      box.storeFlags([mine.uid], "add", ["bystore"]).then(() => {
        storeMarked.add(/Subject: (.*)/.exec(readFileSync(box.messagePath(mine.uid), "utf8"))![1]);
      }),
    ]);
    nmhMarked.add(nmhSubject);
  }
  await box.sync({ deep: true });
  const subjects = box.messages().map((r) => /Subject: (.*)/.exec(readFileSync(box.messagePath(r.uid), "utf8"))![1]);
  const expected = ["seed-1", "seed-2"];
  for (let i = 0; i < ROUNDS; i++) expected.push(`inc-${i}`, `app-${i}`);
  expect([...subjects].sort()).toEqual(expected.sort()); // nothing lost, nothing twice
  const seqs = parseSequences(readFileSync(join(h.root, "inbox", ".mh_sequences"), "utf8"));
  for (const r of box.messages()) {
    const s = subjects[box.messages().indexOf(r)];
    expect(r.flags.includes("bynmh"), `bynmh on ${s}`).toBe(nmhMarked.has(s));
    expect(r.flags.includes("bystore"), `bystore on ${s}`).toBe(storeMarked.has(s));
    expect(seqs.get("bystore")?.has(r.num) ?? false).toBe(storeMarked.has(s));
    if (s.startsWith("app-")) expect(r.flags).toContain("\\Seen");
  }
  return box;
}

describe("concurrent writers", () => {
  it("with nmh's lock: no message lost or duplicated, every flag where its writer put it", async () => {
    await hammer(true);
  });
});
