// Every change nmh can make, made by the real nmh command, then the store's view checked.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { appendFileSync, mkdirSync, renameSync, rmSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { openUserStore, type Mailbox, type MailboxEvent, type UserStore } from "../../src/store/open-store.js";
import { endStore, freshStore, makeMhHome, msg, type MhHome } from "./helpers.js";

let h: MhHome;
let store: UserStore;
let events: MailboxEvent[];
const subj = (box: Mailbox, uid: number) => /Subject: (.*)/.exec(readFileSync(box.messagePath(uid), "utf8"))![1];

async function inbox(): Promise<Mailbox> {
  const box = await store.mailbox("INBOX");
  return box;
}
async function incMessages(...subjects: string[]): Promise<void> {
  h.mh("inc", "+inbox", "-file", h.mbox(subjects.map((s) => msg(s))), "-notruncate", "-silent");
}

beforeEach(async () => {
  ({ h, store } = await freshStore("Unseen-Sequence: unseen\n"));
  events = [];
});
afterEach(() => endStore(store, h));

function record(box: Mailbox) {
  box.on("change", (e) => events.push(e));
}

describe("reconciliation with nmh", () => {
  it("inc: new messages get new UIDs in number order, unseen", async () => {
    const box = await inbox();
    record(box);
    await incMessages("one", "two", "three");
    await box.sync();
    expect(box.messages().map((r) => [r.uid, r.num, subj(box, r.uid)])).toEqual([
      [1, 1, "one"], [2, 2, "two"], [3, 3, "three"],
    ]);
    expect(box.messages().every((r) => !r.flags.includes("\\Seen"))).toBe(true);
    expect(events).toContainEqual({ kind: "added", uids: [1, 2, 3] });
  });

  it("rmm: expunged", async () => {
    await incMessages("a", "b", "c");
    const box = await inbox();
    record(box);
    h.mh("rmm", "+inbox", "2");
    await box.sync();
    expect(box.messages().map((r) => subj(box, r.uid))).toEqual(["a", "c"]);
    expect(events).toEqual([{ kind: "expunged", uids: [2] }]);
  });

  it("refile: expunged here, new there, with its sequences", async () => {
    await store.create("one");
    await incMessages("a", "b");
    const box = await inbox();
    const one = await store.mailbox("one");
    await box.storeFlags([2], "add", ["\\Flagged"]);
    h.mh("refile", "-src", "+inbox", "2", "+one");
    await box.sync();
    await one.sync();
    expect(box.messages().map((r) => subj(box, r.uid))).toEqual(["a"]);
    expect(one.messages().map((r) => subj(one, r.uid))).toEqual(["b"]);
  });

  it("mark: flag changes become flag changes with a new MODSEQ", async () => {
    await incMessages("a", "b", "c");
    const box = await inbox();
    record(box);
    const before = box.get(2)!.modseq;
    h.mh("mark", "+inbox", "2", "-sequence", "unseen", "-delete");
    h.mh("mark", "+inbox", "2-3", "-sequence", "flagged", "-add");
    h.mh("mark", "+inbox", "3", "-sequence", "todo", "-add");
    await box.sync();
    expect(box.get(1)!.flags).toEqual([]);
    expect(box.get(2)!.flags).toEqual(["\\Flagged", "\\Seen"]);
    expect(box.get(3)!.flags).toEqual(["\\Flagged", "todo"]);
    expect(box.get(2)!.modseq).toBeGreaterThan(before);
    expect(events).toEqual([{ kind: "flags", uids: [2, 3] }]);
  });

  it("flags worked out only for changed numbers agree with a fresh store that works out all", async () => {
    await incMessages("a", "b", "c", "d", "e", "f");
    const box = await inbox();
    await box.storeFlags([1, 2, 3], "add", ["\\Flagged", "\\Seen"]);
    h.mh("mark", "+inbox", "2-5", "-sequence", "todo", "-add");
    await box.sync();
    await box.storeFlags([3, 4], "remove", ["\\Flagged", "todo"]);
    h.mh("mark", "+inbox", "1", "-sequence", "flagged", "-delete");
    await incMessages("g");
    await box.sync();
    const mine = box.messages().map((r) => [r.uid, r.flags]);
    expect(mine.find(([u]) => u === 2)![1]).toEqual(["\\Flagged", "\\Seen", "todo"]);
    await store.close();
    rmSync(join(h.root, ".asimap-state.sqlite"), { force: true });
    rmSync(join(h.root, ".asimap-state.sqlite-wal"), { force: true });
    rmSync(join(h.root, ".asimap-state.sqlite-shm"), { force: true });
    store = await openUserStore(h.root, {});
    const fresh = (await inbox()).messages().map((r) => [r.uid, r.flags]);
    expect(mine).toEqual(fresh);
  });

  it("after a restart, flags worked out from the saved sequences agree with a fresh store", async () => {
    await incMessages("a", "b", "c", "d", "e", "f");
    let box = await inbox();
    await box.storeFlags([1, 2, 3], "add", ["\\Flagged", "\\Seen"]);
    h.mh("mark", "+inbox", "2-5", "-sequence", "todo", "-add");
    await box.sync();
    await store.close(); // the snapshot keeps the sequences its flags came from
    // nmh works while no server runs; then a new process opens the folder from the snapshot
    h.mh("mark", "+inbox", "1", "-sequence", "flagged", "-delete");
    h.mh("mark", "+inbox", "4-6", "-sequence", "unseen", "-delete");
    h.mh("mark", "+inbox", "2", "-sequence", "todo", "-delete");
    await incMessages("g");
    store = await openUserStore(h.root, {});
    box = await inbox();
    const mine = box.messages().map((r) => [r.uid, r.flags]);
    expect(mine.find(([u]) => u === 1)![1]).toEqual(["\\Seen"]);
    expect(mine.find(([u]) => u === 5)![1]).toEqual(["\\Seen", "todo"]);
    await store.close();
    for (const ext of ["", "-wal", "-shm"]) rmSync(join(h.root, `.asimap-state.sqlite${ext}`), { force: true });
    store = await openUserStore(h.root, {});
    expect((await inbox()).messages().map((r) => [r.uid, r.flags])).toEqual(mine);
  });

  it("folder -pack: renumbered files keep their UIDs and flags", async () => {
    await incMessages("a", "b", "c", "d");
    const box = await inbox();
    await box.storeFlags([4], "add", ["\\Answered"]);
    h.mh("rmm", "+inbox", "1", "3");
    h.mh("folder", "+inbox", "-pack");
    record(box);
    await box.sync();
    expect(box.messages().map((r) => [r.uid, r.num, subj(box, r.uid)])).toEqual([[2, 1, "b"], [4, 2, "d"]]);
    expect(box.get(4)!.flags).toEqual(["\\Answered"]);
    expect(events).toEqual([{ kind: "expunged", uids: [1, 3] }]);
  });

  it("sortm: a reordered folder keeps every UID on its message", async () => {
    const mbox = h.mbox([
      msg("late").replace("Subject:", "Date: Wed, 03 Jan 2024 00:00:00 +0000\nSubject:"),
      msg("early").replace("Subject:", "Date: Mon, 01 Jan 2024 00:00:00 +0000\nSubject:"),
      msg("middle").replace("Subject:", "Date: Tue, 02 Jan 2024 00:00:00 +0000\nSubject:"),
    ]);
    h.mh("inc", "+inbox", "-file", mbox, "-notruncate", "-silent");
    const box = await inbox();
    const before = new Map(box.messages().map((r) => [r.uid, subj(box, r.uid)]));
    await box.storeFlags([1], "add", ["\\Flagged"]); // "late"
    record(box);
    h.mh("sortm", "+inbox");
    await box.sync();
    const nums = box.messages().map((r) => [r.num, subj(box, r.uid)]).sort((a, b) => Number(a[0]) - Number(b[0]));
    expect(nums.map((x) => x[1])).toEqual(["early", "middle", "late"]);
    for (const r of box.messages()) expect(subj(box, r.uid)).toBe(before.get(r.uid));
    expect(box.get(1)!.flags).toEqual(["\\Flagged"]);
    expect(events).toEqual([]);
  });

  it("a message edited in place is expunged and comes back with a new UID", async () => {
    await incMessages("a", "b");
    const box = await inbox();
    record(box);
    appendFileSync(join(h.root, "inbox", "1"), "edited\n");
    await expect(box.readMessage(1)).rejects.toMatchObject({ code: "EXPUNGEISSUED" });
    expect(box.messages().map((r) => [r.uid, r.num])).toEqual([[2, 2], [3, 1]]);
    expect(events).toEqual([{ kind: "expunged", uids: [1] }, { kind: "added", uids: [3] }]);
  });

  it("folders created, renamed and removed by hand", async () => {
    await store.create("work");
    await incMessages("a");
    h.mh("refile", "-src", "+inbox", "1", "+work");
    const work = await store.mailbox("work");
    const vv = work.uidValidity;
    const uids = work.messages().map((r) => r.uid);
    record(work);
    mkdirSync(join(h.root, "byhand", "sub"), { recursive: true });
    renameSync(join(h.root, "work"), join(h.root, "job"));
    let names = (await store.list()).map((i) => i.name);
    expect(names).toContain("byhand");
    expect(names).toContain("byhand/sub");
    expect(names).toContain("job");
    expect(names).not.toContain("work");
    expect(events).toEqual([{ kind: "gone" }]);
    const job = await store.mailbox("job");
    expect(job.uidValidity).toBe(vv);
    expect(job.messages().map((r) => r.uid)).toEqual(uids);
    rmSync(join(h.root, "byhand"), { recursive: true });
    names = (await store.list()).map((i) => i.name);
    expect(names).not.toContain("byhand");
    await expect(store.mailbox("byhand")).rejects.toMatchObject({ code: "NONEXISTENT" });
  });

  it("keeps sequences it does not own and drops the old server's Recent", async () => {
    await incMessages("a", "b", "c");
    const seqFile = join(h.root, "inbox", ".mh_sequences");
    writeFileSync(seqFile, "cur: 2\nunseen: 1-3\nRecent: 1-3\nSeen: 1\nmine: 3\n");
    const box = await inbox();
    expect(box.get(1)!.flags).toEqual([]);
    expect(box.get(3)!.flags).toEqual(["mine"]);
    await box.storeFlags([1], "add", ["\\Seen"]);
    expect(readFileSync(seqFile, "utf8")).toBe("cur: 2\nunseen: 2-3\nSeen: 1\nmine: 3\n");
    expect(h.mh("mark", "+inbox", "-list", "-sequence", "unseen").trim()).toBe("unseen: 2-3");
  });

  it("honours Unseen-Sequence from the MH profile", async () => {
    await store.close();
    h.cleanup();
    h = makeMhHome("Unseen-Sequence: fresh\n");
    store = await openUserStore(h.root, {});
    await incMessages("a", "b");
    const box = await inbox();
    expect(readFileSync(join(h.root, "inbox", ".mh_sequences"), "utf8")).toContain("fresh: 1-2");
    expect(box.get(1)!.flags).toEqual([]);
    await box.storeFlags([2], "add", ["\\Seen"]);
    expect(h.mh("mark", "+inbox", "-list", "-sequence", "fresh").trim()).toBe("fresh: 1");
  });

  it("reports an inc into a watched folder within a second", async () => {
    const box = await inbox();
    const got = new Promise<MailboxEvent>((resolve) => box.on("change", resolve));
    await incMessages("watched");
    const ev = await Promise.race([got, new Promise((r) => setTimeout(() => r("timeout"), 1000))]);
    expect(ev).toEqual({ kind: "added", uids: [1] });
  });
});
