import { describe, expect, it } from "vitest";
import { Throttle } from "../../src/daemon/throttle.js";

describe("login throttling (old server's rules)", () => {
  it("denies a user from the 5th failure and an address from the 6th, for 60 s after the last", () => {
    let now = 1_000_000;
    const t = new Throttle(() => now);
    for (let i = 0; i < 4; i++) { expect(t.allow("bob", "10.0.0.1")).toBe(true); t.failed("bob", "10.0.0.1"); }
    expect(t.allow("bob", "10.0.0.1")).toBe(true); // 4 failures: still allowed
    t.failed("bob", "10.0.0.1");
    expect(t.allow("bob", "10.0.0.2")).toBe(false); // 5 user failures
    expect(t.allow("alice", "10.0.0.1")).toBe(true); // 5 address failures: allowed
    t.failed("alice", "10.0.0.1");
    expect(t.allow("carol", "10.0.0.1")).toBe(false); // 6 address failures
    expect(t.allow("carol", "10.0.0.3")).toBe(true);
    now += 59_000;
    expect(t.allow("bob", "10.0.0.9")).toBe(false);
    now += 2_000;
    expect(t.allow("bob", "10.0.0.9")).toBe(true);
    expect(t.allow("carol", "10.0.0.1")).toBe(true);
  });

  it("sweep forgets old entries", () => {
    let now = 0;
    const t = new Throttle(() => now);
    for (let i = 0; i < 10; i++) t.failed(`u${i}`, `a${i}`);
    now = 61_000;
    t.sweep();
    t.failed("u0", "a0");
    expect(t.allow("u0", "a0")).toBe(true);
  });
});
