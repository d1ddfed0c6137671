import { describe, expect, it } from "vitest";
import { Throttle } from "../../src/daemon/throttle.js";

describe("login throttling (the old server's rules, a user's other addresses not locked out)", () => {
  it("denies a user at an address from the 5th failure and an address from the 6th, for 60 s after the last", () => {
    let now = 1_000_000;
    const t = new Throttle(() => now);
    for (let i = 0; i < 4; i++) { expect(t.allow("bob", "10.0.0.1")).toBe(true); t.failed("bob", "10.0.0.1"); }
    expect(t.allow("bob", "10.0.0.1")).toBe(true); // 4 failures: still allowed
    t.failed("bob", "10.0.0.1");
    expect(t.allow("bob", "10.0.0.1")).toBe(false); // 5 failures of bob here
    expect(t.allow("bob", "10.0.0.2")).toBe(true); // bob elsewhere is not locked out (issue 20)
    expect(t.allow("alice", "10.0.0.1")).toBe(true); // 5 address failures: allowed
    t.failed("alice", "10.0.0.1");
    expect(t.allow("carol", "10.0.0.1")).toBe(false); // 6 address failures
    expect(t.allow("carol", "10.0.0.3")).toBe(true);
    now += 59_000;
    expect(t.allow("bob", "10.0.0.1")).toBe(false);
    now += 2_000;
    expect(t.allow("bob", "10.0.0.1")).toBe(true);
    expect(t.allow("carol", "10.0.0.1")).toBe(true);
  });

  it("stops a guess spread over many addresses from the user's 21st failure", () => {
    const t = new Throttle(() => 0);
    for (let i = 0; i < 20; i++) {
      expect(t.allow("dave", `10.1.0.${i}`)).toBe(true);
      t.failed("dave", `10.1.0.${i}`);
    }
    t.failed("dave", "10.1.0.99");
    expect(t.allow("dave", "10.2.0.1")).toBe(false);
    expect(t.allow("erin", "10.2.0.1")).toBe(true);
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
