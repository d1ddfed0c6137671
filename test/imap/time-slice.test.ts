// Background slices (the full-text indexer's) wait for the commands in flight, and never longer
// than their cap; a command's own slices do not wait.
import { describe, expect, it } from "vitest";
import { commandEnded, commandStarted, TimeSlice } from "../../src/imap/time-slice.js";

const settled = async (p: Promise<void>, ms: number): Promise<boolean> => {
  let done = false;
  void p.then(() => (done = true));
  await new Promise((r) => setTimeout(r, ms));
  return done;
};

describe("TimeSlice", () => {
  it("a background slice waits until the last command in flight has ended", async () => {
    commandStarted();
    commandStarted();
    const next = new TimeSlice(true).next();
    expect(await settled(next, 30)).toBe(false);
    commandEnded();
    expect(await settled(next, 30)).toBe(false); // one still runs
    commandEnded();
    expect(await settled(next, 5)).toBe(true);
  });

  it("a background slice goes on after 250 ms of commands without a pause", async () => {
    commandStarted();
    try {
      const t0 = Date.now();
      await new TimeSlice(true).next();
      expect(Date.now() - t0).toBeGreaterThanOrEqual(240);
    } finally {
      commandEnded();
    }
  });

  it("a command's slice and a background slice with no command in flight only yield", async () => {
    commandStarted();
    try {
      expect(await settled(new TimeSlice().next(), 20)).toBe(true);
    } finally {
      commandEnded();
    }
    expect(await settled(new TimeSlice(true).next(), 20)).toBe(true);
  });
});
