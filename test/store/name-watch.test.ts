// The store's name watch (UserStore.watchNames, NOTIFY's MailboxName and SubscriptionChange):
// changes by the store itself and by hand (mkdir, mv, rm -r as nmh's folder and rmf do them)
// are reported once each, found by the tree watch without anyone calling the store.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { NameChange, UserStore } from "../../src/store/contract.js";
import { endStore, freshStore, type MhHome } from "./helpers.js";

let h: MhHome;
let store: UserStore;
beforeEach(async () => ({ h, store } = await freshStore()));
afterEach(() => endStore(store, h));

/** Waits until `events` holds `n` entries (the tree watch reports within milliseconds). */
async function count(events: NameChange[], n: number): Promise<NameChange[]> {
  const deadline = Date.now() + 5000;
  while (events.length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  return events;
}

describe("watchNames", () => {
  it("reports the store's own create, rename, delete and subscription changes", async () => {
    const events: NameChange[] = [];
    const stop = store.watchNames((ev) => events.push(ev));
    await store.create("a");
    await store.rename("a", "b");
    await store.subscribe("b", true);
    await store.subscribe("b", true); // no change: not reported
    await store.subscribe("b", false);
    await store.delete("b");
    expect(events).toEqual([
      { kind: "created", name: "a" },
      { kind: "renamed", from: "a", to: "b" },
      { kind: "subscribed", name: "b" },
      { kind: "unsubscribed", name: "b" },
      { kind: "deleted", name: "b" },
    ]);
    stop();
    await store.create("after");
    expect(events).toHaveLength(5);
  });

  it("finds folders made, renamed and removed by hand without a call to the store", async () => {
    const events: NameChange[] = [];
    store.watchNames((ev) => events.push(ev));
    mkdirSync(join(store.root, "byhand"));
    expect(await count(events, 1)).toEqual([{ kind: "created", name: "byhand" }]);
    mkdirSync(join(store.root, "byhand", "kid"));
    expect((await count(events, 2))[1]).toEqual({ kind: "created", name: "byhand/kid" });
    // the directory keeps its inode: a rename, its child moving with it unreported
    renameSync(join(store.root, "byhand"), join(store.root, "moved"));
    expect((await count(events, 3))[2]).toEqual({ kind: "renamed", from: "byhand", to: "moved" });
    rmSync(join(store.root, "moved"), { recursive: true });
    await count(events, 5);
    expect(events.slice(3)).toEqual(expect.arrayContaining([{ kind: "deleted", name: "moved" }]));
    expect(events.filter((e) => e.kind === "renamed")).toHaveLength(1);
  });
});
