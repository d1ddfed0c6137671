import { describe, expect, it } from "vitest";
import { readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parsePwfile, PasswordFile, setAccountInText, writeFileAtomic } from "../../src/daemon/pwfile.js";
import { authenticate } from "../../src/daemon/auth.js";
import { pbkdf2Encode } from "../../src/daemon/hashers.js";
import { tempDir } from "../daemon/harness.js"; // removed after the file's tests

describe("password file", () => {
  it("parses accounts, skips comments and blank lines, reports bad lines", () => {
    const text = [
      "# accounts", "", "  alice : pbkdf2_sha256$1$s$x : mail/alice ", "bob:md5$a$b:/home/bob/Mail",
      "broken line", "carol:h:x:y", "   # indented comment", ":h:/m", "dave:h:",
    ].join("\n");
    const { accounts, problems } = parsePwfile(text, "/etc/asimap/pwfile");
    expect([...accounts.keys()]).toEqual(["alice", "bob"]);
    expect(accounts.get("alice")).toEqual({ user: "alice", hash: "pbkdf2_sha256$1$s$x", maildir: "/etc/asimap/mail/alice" });
    expect(accounts.get("bob")!.maildir).toBe("/home/bob/Mail");
    expect(problems.map((p) => p.line)).toEqual([5, 6, 8, 9]);
  });

  it("user names are case-sensitive", () => {
    const { accounts } = parsePwfile("Alice:h:/m\n", "/x/pw");
    expect(accounts.has("alice")).toBe(false);
  });

  it("re-reads the file when it changes and drops removed users", async () => {
    const dir = tempDir("pw-");
    const f = path.join(dir, "pwfile");
    writeFileSync(f, "alice:h1:/m/a\nbob:h2:/m/b\n");
    const pw = new PasswordFile(f);
    expect((await pw.lookup("bob"))?.hash).toBe("h2");
    writeFileSync(f, "alice:h3:/m/a\n");
    const t = new Date(Date.now() + 5000);
    utimesSync(f, t, t);
    expect((await pw.lookup("alice"))?.hash).toBe("h3");
    expect(await pw.lookup("bob")).toBeUndefined();
  });

  it("a missing file is a clear error", async () => {
    await expect(new PasswordFile("/nonexistent/pwfile").load()).rejects.toThrow(/ENOENT.*\/nonexistent\/pwfile/);
  });

  it("setting an account keeps every other line and comment", () => {
    const before = "# header\nalice:old:/m/a\n\n# about bob\nbob:b:/m/b\n";
    expect(setAccountInText(before, { user: "alice", hash: "new" }))
      .toBe("# header\nalice:new:/m/a\n\n# about bob\nbob:b:/m/b\n");
    expect(setAccountInText(before, { user: "alice", hash: "new", maildir: "rel/a" }))
      .toBe("# header\nalice:new:rel/a\n\n# about bob\nbob:b:/m/b\n");
    expect(setAccountInText(before, { user: "carol", hash: "c", maildir: "/m/c" }))
      .toBe(before + "carol:c:/m/c\n");
    expect(() => setAccountInText(before, { user: "carol", hash: "c" })).toThrow(/maildir/);
    expect(() => setAccountInText(before, { user: "a:b", hash: "c", maildir: "/m" })).toThrow(/invalid user/);
    expect(() => setAccountInText(before, { user: "x", hash: "c", maildir: "/m:n" })).toThrow(/invalid maildir/);
  });

  it("writes atomically with mode 0600", async () => {
    const dir = tempDir("pw-");
    const f = path.join(dir, "pwfile");
    writeFileSync(f, "old\n", { mode: 0o644 });
    await writeFileAtomic(f, "new\n");
    expect(readFileSync(f, "utf8")).toBe("new\n");
    expect(statSync(f).mode & 0o777).toBe(0o600);
  });
});

describe("authenticate", () => {
  it("accepts the right password, refuses wrong ones, unknown and disabled users alike", async () => {
    const dir = tempDir("pw-");
    const f = path.join(dir, "pwfile");
    const h = await pbkdf2Encode("sécret", "salt", 1000);
    writeFileSync(f, `alice:${h}:mail\ncarol:!xyz:mail\n`);
    const pw = new PasswordFile(f);
    const ok = await authenticate(pw, "alice", "sécret");
    expect(ok.ok && ok.account.maildir).toBe(path.join(dir, "mail"));
    expect((await authenticate(pw, "alice", "secret")).ok).toBe(false);
    expect((await authenticate(pw, "nobody", "sécret")).ok).toBe(false);
    expect((await authenticate(pw, "carol", "")).ok).toBe(false);
  });
});

describe("the optional fourth field: the user's backend", () => {
  it("is read as host:port, checked, and kept when a password is set", () => {
    const { accounts, problems } = parsePwfile("a:h:m:10.0.0.2:143\nb:h:m:[fd00::2]:143\nc:h:m:mail2\nd:h:m:x:99999\n", "/p/pw");
    expect(accounts.get("a")!.backend).toBe("10.0.0.2:143");
    expect(accounts.get("b")!.backend).toBe("[fd00::2]:143");
    expect(problems.map((p) => p.line)).toEqual([3, 4]);
    expect(problems[0].reason).toMatch(/not host:port/);
    expect(setAccountInText("a:old:m:10.0.0.2:143\n", { user: "a", hash: "new" })).toBe("a:new:m:10.0.0.2:143\n");
  });
});
