// The password file's optional quota field (`storage=10G,messages=100000`, last on the line)
// and how it meets asimapd's default limits.
import { describe, expect, it } from "vitest";
import { parsePwfile, setAccountInText } from "../../src/daemon/pwfile.js";
import { effectiveQuota, parseQuotaField } from "../../src/daemon/quota-field.js";

describe("the quota field", () => {
  it("is read after the maildir or after a backend, and leaves older lines as they were", () => {
    const text = [
      "a:h:m:storage=10G,messages=100000",
      "b:h:m:10.0.0.2:143:storage=1M",
      "c:h:m:[fd00::2]:143:messages=5",
      "d:h:m",
      "e:h:m:10.0.0.3:143",
      "f:h:m: storage = 1500 , messages = none ",
    ].join("\n");
    const { accounts, problems } = parsePwfile(text, "/p/pw");
    expect(problems).toEqual([]);
    expect(accounts.get("a")).toMatchObject({ maildir: "/p/m", quota: { storage: 10 * 1024 * 1024, messages: 100000 } });
    expect(accounts.get("a")!.backend).toBeUndefined();
    expect(accounts.get("b")).toMatchObject({ backend: "10.0.0.2:143", quota: { storage: 1024 } });
    expect(accounts.get("c")).toMatchObject({ backend: "[fd00::2]:143", quota: { messages: 5 } });
    expect(accounts.get("d")).toEqual({ user: "d", hash: "h", maildir: "/p/m" });
    expect(accounts.get("e")).toEqual({ user: "e", hash: "h", maildir: "/p/m", backend: "10.0.0.3:143" });
    // bytes rounded up to units of 1024; none is an explicit "no limit"
    expect(accounts.get("f")!.quota).toEqual({ storage: 2, messages: null });
  });

  it("refuses a line whose field is wrong, saying why", () => {
    const { accounts, problems } = parsePwfile("a:h:m:storage=lots\nb:h:m:messages=-1\nc:h:m:inodes=5\nd:h:m:storage=1G\n", "/p/pw");
    expect([...accounts.keys()]).toEqual(["d"]);
    expect(problems.map((p) => p.line)).toEqual([1, 2, 3]);
    expect(problems[0].reason).toMatch(/quota storage "lots" is not a size/);
    expect(problems[1].reason).toMatch(/quota messages "-1" is not a number/);
    expect(problems[2].reason).toMatch(/unknown quota key "inodes"/);
    expect(parseQuotaField("storage=")).toHaveProperty("problem");
  });

  it("stays when asimapd_set_password sets a password", () => {
    expect(setAccountInText("a:old:m:storage=1G\n", { user: "a", hash: "new" })).toBe("a:new:m:storage=1G\n");
    expect(setAccountInText("a:old:m:10.0.0.2:143:messages=9\n", { user: "a", hash: "new", maildir: "n" }))
      .toBe("a:new:n:10.0.0.2:143:messages=9\n");
  });

  it("gives its own limits, the default elsewhere, and none where it says none", () => {
    const dflt = { storage: 100, messages: 10 };
    expect(effectiveQuota(undefined, dflt)).toEqual(dflt);
    expect(effectiveQuota(undefined, {})).toEqual({});
    expect(effectiveQuota({ storage: 5 }, dflt)).toEqual({ storage: 5, messages: 10 });
    expect(effectiveQuota({ messages: null }, dflt)).toEqual({ storage: 100 });
    expect(effectiveQuota({ storage: 0 }, {})).toEqual({ storage: 0 });
  });
});
