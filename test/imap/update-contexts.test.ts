// The session's UPDATE contexts (src/imap/search/update-contexts.ts): what it refuses to hold,
// so that a client cannot make the user process keep unbounded results (RFC 5267 §4.3.1, §6).
import { describe, expect, it } from "vitest";
import { MAX_CONTEXTS, SearchUpdates, type UpdateContext } from "../../src/imap/search/update-contexts.js";

const context = (tag: string, members: number): UpdateContext => ({
  tag, uid: true, members: Array.from({ length: members }, (_, i) => i + 1), order: null,
  matches: async () => false,
});

describe("UPDATE context limits", () => {
  it("holds at most its number of contexts; a cancelled one makes room", () => {
    const u = new SearchUpdates();
    for (let i = 0; i < MAX_CONTEXTS; i++) expect(u.add(context(`A${i}`, 1))).toBe(true);
    expect(u.add(context("B", 1))).toBe(false);
    expect(u.has("B")).toBe(false);
    u.cancel(["A0"]);
    expect(u.add(context("B", 1))).toBe(true);
  });

  it("holds at most its number of UIDs over all contexts", () => {
    const u = new SearchUpdates({ contexts: MAX_CONTEXTS, uids: 10 });
    expect(u.add(context("A", 6))).toBe(true);
    expect(u.add(context("B", 5))).toBe(false);
    expect(u.add(context("C", 4))).toBe(true);
    u.clear();
    expect(u.active).toBe(false);
    expect(u.add(context("D", 10))).toBe(true);
  });

  it("CANCELUPDATE's unknown tags are those naming no context", () => {
    const u = new SearchUpdates();
    u.add(context("A", 1));
    expect(u.unknown(["A", "Z"])).toEqual(["Z"]);
  });
});
