// The command lines: asimapd's options and errors, asimapd_set_password end to end.
import { describe, expect, it } from "vitest";
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { buildProgram, parseDuration, parseSize, resolveConfig } from "../../src/cli/asimapd-options.js";
import { verifyPassword } from "../../src/daemon/hashers.js";
import { makeCert, ROOT, runCli, startDaemon, tempDir, until, writePwfile } from "./harness.js";
import { existsSync } from "node:fs";

function config(argv: string[], env: Record<string, string> = {}) {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    const p = buildProgram();
    p.parse(["node", "asimapd", ...argv]);
    return resolveConfig(p.opts(), process.env);
  } finally {
    for (const k of Object.keys(env)) delete process.env[k];
    Object.assign(process.env, saved);
  }
}

describe("asimapd options", () => {
  it("has the old server's defaults", () => {
    const c = config([]);
    expect(c).toMatchObject({ address: "0.0.0.0", port: 993, pwfile: "/opt/asimap/pwfile",
      traceDir: "/opt/asimap/traces", trace: false, debug: false, lingerMs: 30 * 60_000, plainPort: undefined });
    expect(c.cert).toMatch(/^\/opt\/asimap\/ssl\/(cert|ssl_crt)\.pem$/);
  });

  it("takes the environment, and an option beats its variable", () => {
    const env = { ADDRESS: "127.0.0.2", PORT: "1993", SSL_CERT: "/e/c", SSL_KEY: "/e/k", TRACE_DIR: "/e/t",
      LOG_CONFIG: "/e/l.json", PWFILE: "/e/pw", PLAIN_PORT: "1143", USER_LINGER: "90", MAX_MESSAGE_SIZE: "1M",
      DEBUG: "1", TRACE: "yes", ASIMAP_USER_NODE_OPTIONS: "--cpu-prof --cpu-prof-dir=/tmp/p" };
    expect(config([], env)).toMatchObject({ address: "127.0.0.2", port: 1993, cert: "/e/c", key: "/e/k",
      traceDir: "/e/t", logConfig: "/e/l.json", pwfile: "/e/pw", plainPort: 1143, lingerMs: 90_000,
      maxMessageSize: 1024 * 1024, debug: true, trace: true, userNodeOptions: ["--cpu-prof", "--cpu-prof-dir=/tmp/p"] });
    expect(config(["--address", "::1", "--port", "2993", "--pwfile", "/o/pw", "--cert", "/o/c", "--linger", "2m"], env))
      .toMatchObject({ address: "::1", port: 2993, pwfile: "/o/pw", cert: "/o/c", key: "/e/k", lingerMs: 120_000 });
    expect(config([], { DEBUG: "false", TRACE: "0" })).toMatchObject({ debug: false, trace: false });
    expect(config([], { USER_POOL: "3" }).userPool).toBe(3);
    expect(config(["--user-pool", "0"], { USER_POOL: "3" }).userPool).toBe(0);
    expect(config([]).userPool).toBeUndefined(); // the supervisor's default
    expect(() => config(["--user-pool", "-1"])).toThrow(/invalid user pool/);
    expect(() => config([], { USER_POOL: "65" })).toThrow(/invalid user pool "65" \(0 to 64\)/);
    expect(config([], { PROCESSES_PER_OWNER: "4" }).processesPerOwner).toBe(4);
    expect(config(["--processes-per-owner", "0"], { PROCESSES_PER_OWNER: "4" }).processesPerOwner).toBe(0);
    expect(config([]).processesPerOwner).toBeUndefined(); // the supervisor's default: one per CPU
    expect(() => config(["--processes-per-owner", "two"])).toThrow(/invalid processes per owner "two"/);
    // the default quota, in units of 1024 octets (rounded up) and messages
    expect(config([]).quota).toEqual({});
    expect(config(["--quota-storage", "10G", "--quota-messages", "5000"]).quota).toEqual({ storage: 10 * 1024 * 1024, messages: 5000 });
    expect(config([], { QUOTA_STORAGE: "1500" }).quota).toEqual({ storage: 2 });
    expect(() => config(["--quota-storage", "big"])).toThrow(/invalid size "big"/);
    expect(() => config(["--quota-messages", "many"])).toThrow(/invalid message count "many"/);
  });

  it("takes the METADATA /shared/admin URI, and refuses what is not a URI", () => {
    expect(config([]).serverAdmin).toBeUndefined();
    expect(config(["--server-admin", "mailto:postmaster@example.com"]).serverAdmin).toBe("mailto:postmaster@example.com");
    expect(config([], { SERVER_ADMIN: "tel:+1-555-0100" }).serverAdmin).toBe("tel:+1-555-0100");
    expect(() => config(["--server-admin", "postmaster at example"])).toThrow(/invalid server admin/);
    expect(() => config(["--server-admin", "mailto:"])).toThrow(/invalid server admin/);
  });

  it("parses durations and sizes, and rejects nonsense", () => {
    expect(parseDuration("30m")).toBe(1_800_000);
    expect(parseDuration("500ms")).toBe(500);
    expect(parseDuration("2h")).toBe(7_200_000);
    expect(() => parseDuration("soon")).toThrow(/invalid duration/);
    expect(parseSize("64M")).toBe(64 * 1024 * 1024);
    expect(parseSize("1024")).toBe(1024);
    expect(() => parseSize("lots")).toThrow(/invalid size/);
    expect(parseSize("2T")).toBe(2 * 1024 ** 4);
    expect(() => config(["--port", "99999"])).toThrow(/invalid port/);
  });
});

describe("asimapd errors are one clear line and exit code 2", () => {
  const { cert, key } = makeCert();
  const cases: Array<[string, string[], RegExp]> = [
    ["missing certificate", ["--cert", "/nonexistent/cert.pem", "--key", key], /cannot read certificate \/nonexistent\/cert\.pem: ENOENT/],
    ["missing key", ["--cert", cert, "--key", "/nonexistent/key.pem"], /cannot read key \/nonexistent\/key\.pem: ENOENT/],
    ["cert that is not a cert", ["--cert", "/etc/hostname", "--key", key], /unusable/],
    ["missing password file", ["--cert", cert, "--key", key, "--pwfile", "/nonexistent/pw"], /cannot read password file \/nonexistent\/pw/],
    ["bad port", ["--port", "http"], /invalid port/],
    ["unknown option", ["--frobnicate"], /unknown option/],
    ["bad linger", ["--linger", "forever"], /invalid duration/],
    ["missing log config", ["--cert", cert, "--key", key, "--pwfile", "/etc/hostname", "--log-config", "/nonexistent/log.json"], /log config \/nonexistent\/log\.json does not exist/],
  ];
  for (const [name, args, re] of cases) {
    it(name, async () => {
      const r = await runCli("asimapd.js", ["--port", "0", ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(re);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    });
  }

  it("a log config that is not JSON", async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, "log.json"), "{nope");
    const r = await runCli("asimapd.js", ["--port", "0", "--cert", cert, "--key", key, "--pwfile", "/etc/hostname",
      "--log-config", path.join(dir, "log.json")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/log config .*log\.json: /);
  });

  it("--help and --version", async () => {
    const h = await runCli("asimapd.js", ["--help"]);
    expect(h.code).toBe(0);
    for (const o of ["--address", "--port", "--cert", "--key", "--trace", "--trace-dir", "--debug", "--log-config",
      "--pwfile", "--plain-port", "--linger", "--max-message-size", "ASIMAP_USER_NODE_OPTIONS", "ASIMAPD_USER_ENTRY", "ENABLE_MH_FILE_LOCKING"]) {
      expect(h.stdout).toContain(o);
    }
    const v = await runCli("asimapd.js", ["--version"]);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe("asimapd_set_password", () => {
  it("creates, updates and disables accounts, keeping every other line, mode 0600", async () => {
    const dir = tempDir();
    const pw = path.join(dir, "pwfile");
    writeFileSync(pw, "# our users\nbob:md5$a$b:/m/bob\n\n# end\n", { mode: 0o644 });
    mkdirSync(path.join(dir, "mail/alice"), { recursive: true }); // relative to the pwfile's directory
    let r = await runCli("set-password.js", ["--pwfile", pw, "alice", "s3cret", "mail/alice"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`created account alice (maildir mail/alice) with a password in ${pw}\n`);
    let lines = readFileSync(pw, "utf8").split("\n");
    expect(lines.slice(0, 4)).toEqual(["# our users", "bob:md5$a$b:/m/bob", "", "# end"]);
    const alice = lines[4].split(":");
    expect(alice[0]).toBe("alice");
    expect(alice[1]).toMatch(/^pbkdf2_sha256\$1200000\$/);
    expect(alice[2]).toBe("mail/alice");
    expect(await verifyPassword("s3cret", alice[1])).toBe(true);
    expect(statSync(pw).mode & 0o777).toBe(0o600);

    // PWFILE from the environment; new password, maildir kept
    r = await runCli("set-password.js", ["alice", "n3w"], { PWFILE: pw });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`set password for alice in ${pw}\n`);
    lines = readFileSync(pw, "utf8").split("\n");
    expect(lines[4].split(":")[2]).toBe("mail/alice");
    expect(await verifyPassword("n3w", lines[4].split(":")[1])).toBe(true);

    // no password: unusable
    r = await runCli("set-password.js", ["--pwfile", pw, "bob"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`disabled bob in ${pw}\n`);
    expect(readFileSync(pw, "utf8").split("\n")[1]).toMatch(/^bob:![A-Za-z0-9]{40}:\/m\/bob$/);
  });

  it("a new account without maildir is a clear error; the file is untouched", async () => {
    const dir = tempDir();
    const pw = path.join(dir, "pwfile");
    writeFileSync(pw, "bob:x:/m\n");
    const r = await runCli("set-password.js", ["--pwfile", pw, "carol", "pw"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/carol does not exist yet: give its maildir/);
    expect(readFileSync(pw, "utf8")).toBe("bob:x:/m\n");
  });

  it("creates a missing password file", async () => {
    const dir = tempDir();
    const pw = path.join(dir, "new-pwfile");
    const r = await runCli("set-password.js", ["--pwfile", pw, "dora", "pw", dir]);
    expect(r.code).toBe(0);
    expect(readFileSync(pw, "utf8")).toMatch(/^dora:pbkdf2_sha256\$[^:\n]*:/);
    expect(readFileSync(pw, "utf8").endsWith(`:${dir}\n`)).toBe(true);
    expect(r.stdout).toBe(`created account dora (maildir ${dir}) with a password in ${pw}\n`);
  });

  it("a maildir that does not exist, or is no directory, is refused and nothing changes", async () => {
    const dir = tempDir();
    const pw = path.join(dir, "pwfile");
    writeFileSync(pw, "bob:x:/m\n");
    writeFileSync(path.join(dir, "afile"), "");
    for (const [user, maildir, why] of [
      ["erin", "mail/erin", `maildir mail/erin (${dir}/mail/erin) does not exist`],
      ["erin", "/nonexistent/erin", "maildir /nonexistent/erin (/nonexistent/erin) does not exist"],
      ["erin", "afile", `maildir afile (${dir}/afile) is not a directory`],
      ["bob", "/nonexistent/bob", "maildir /nonexistent/bob (/nonexistent/bob) does not exist"], // a new maildir too
    ]) {
      const r = await runCli("set-password.js", ["--pwfile", pw, user, "pw", maildir]);
      expect(r.code, maildir).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toBe(`asimapd_set_password: ${why}; nothing changed (create it first, or give --allow-missing-maildir to set it anyway)\n`);
    }
    expect(readFileSync(pw, "utf8")).toBe("bob:x:/m\n");
    // Asked for: an account whose mail will come later.
    const r = await runCli("set-password.js", ["--pwfile", pw, "--allow-missing-maildir", "erin", "", "mail/erin"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`created account erin (maildir mail/erin), disabled (no password) in ${pw}\n`);
    expect(readFileSync(pw, "utf8")).toMatch(/^bob:x:\/m\nerin:![A-Za-z0-9]{40}:mail\/erin\n$/);
  });
});

describe("--log-config", () => {
  it("the shipped example works (pino transport targets), with its file destination moved", async () => {
    const dir = tempDir();
    const example = JSON.parse(readFileSync(path.join(ROOT, "examples/asimapd_log.json"), "utf8"));
    const logFile = path.join(dir, "logs", "asimapd.log");
    example.transport.targets[0].options.destination = logFile;
    writeFileSync(path.join(dir, "log.json"), JSON.stringify(example));
    const { cert, key } = makeCert();
    const pw = writePwfile(dir, ["# nobody yet"]);
    const d = await startDaemon(["--cert", cert, "--key", key, "--pwfile", pw, "--log-config", path.join(dir, "log.json")]);
    await d.stop();
    expect(await until(() => existsSync(logFile) && readFileSync(logFile, "utf8").includes("listening"))).toBe(true);
    const first = JSON.parse(readFileSync(logFile, "utf8").split("\n")[0]);
    expect(first).toMatchObject({ username: "no_user", msg: "ASIMAPD Starting" });
  });
});
