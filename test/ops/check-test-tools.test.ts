// `make test` first runs scripts/check-test-tools.mjs: on a machine without the tools the tests
// drive, one line names the missing Debian packages and how to install them.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const SCRIPT = path.resolve("scripts/check-test-tools.mjs");
const empty = mkdtempSync(path.join(os.tmpdir(), "asimap-tools-"));
afterAll(() => rmSync(empty, { recursive: true, force: true }));

function check(env: Record<string, string>) {
  const r = spawnSync(process.execPath, [SCRIPT], { env: { ...process.env, ...env }, encoding: "utf8" });
  return { status: r.status, stderr: r.stderr, stdout: r.stdout };
}

describe("the test tools check", () => {
  it("passes where everything is installed (this machine)", () => {
    const r = check({});
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  it("with nothing to be found: one line naming every missing package and the command", () => {
    const r = check({
      PATH: empty,
      ASIMAP_TEST_MH_DIR: empty,
      ASIMAP_TEST_DOVECOT: path.join(empty, "dovecot"),
      ASIMAP_TEST_DOVECOT_INCLUDE: path.join(empty, "include"),
      ASIMAP_TEST_NGINX: path.join(empty, "nginx"),
      ASIMAP_TEST_NGINX_MAIL: path.join(empty, "ngx_mail_module.so"),
      ASIMAP_TEST_HAPROXY: path.join(empty, "haproxy"),
    });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain(`${empty}/inc`);
    expect(r.stderr).toContain(
      "apt-get install nmh dovecot-imapd openssl python3 gcc libc6-dev make dovecot-dev autoconf automake libtool pkg-config patch nginx libnginx-mod-mail haproxy mutt gsasl",
    );
    expect(r.stderr).toContain("bash .ci/run");
  });

  it("names only what is missing", () => {
    const r = check({ ASIMAP_TEST_DOVECOT: path.join(empty, "dovecot") });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/missing: \S+\/dovecot\. Install them with `apt-get install dovecot-imapd`/);
  });

  it("make test runs it before building and testing", () => {
    // Run by `make test` itself, a nested make inherits MAKELEVEL and would print
    // "Entering directory" first (CI failed on that).
    const { MAKELEVEL: _l, MAKEFLAGS: _f, MFLAGS: _m, ...env } = process.env;
    const dry = spawnSync("make", ["-n", "test"], { env, encoding: "utf8" });
    expect(dry.stdout.split("\n")[0]).toBe("node scripts/check-test-tools.mjs");
    const r = spawnSync("make", ["-s", "test"], { env: { ...env, ASIMAP_TEST_DOVECOT: path.join(empty, "dovecot") }, encoding: "utf8" });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("apt-get install dovecot-imapd");
    expect(r.stdout).not.toContain("vitest");
  });

  it(".ci/run installs every package the check can name", () => {
    const r = check({ PATH: empty, ASIMAP_TEST_MH_DIR: empty, ASIMAP_TEST_DOVECOT: empty, ASIMAP_TEST_DOVECOT_INCLUDE: path.join(empty, "x") });
    const named = /apt-get install ([^`]*)`/.exec(r.stderr)![1].split(" ");
    const ci = readFileSync(".ci/run", "utf8");
    const installed = [...ci.matchAll(/need\+=\(([^)]*)\)/g)].flatMap((m) => m[1].split(" "));
    expect(named.filter((p) => !installed.includes(p))).toEqual([]);
  });
});
