// What user processes start from: the V8 startup snapshot of the bundled user process by default,
// else the bundle, else the plain modules (src/daemon/user-entry.ts, built by
// scripts/build-user-bundle.mjs). Real asimapd from the repository's dist/ and from a copy of it
// moved elsewhere (as a Docker image does), each serving a real login that reads the mail.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cpSync, existsSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { pbkdf2Encode } from "../../src/daemon/hashers.js";
import { BLOB, BUNDLE, META, chooseUserEntry, userProcessEnv, wantedUserEntry } from "../../src/daemon/user-entry.js";
import { Client, ROOT, freshLoopback, makeCert, makeMaildir, startDaemon, tempDir, until, writePwfile,
  type Daemon } from "./harness.js";

const BUILT_USER_DIR = path.join(ROOT, "dist", "src", "user");

/** A directory holding the files chooseUserEntry looks at. */
function fakeUserDir(meta: object | string = { node: process.version, platform: process.platform,
  arch: process.arch, env: {} }, files = ["main.js", BUNDLE, BLOB]): string {
  const d = tempDir("user-entry-");
  for (const f of files) writeFileSync(path.join(d, f), "");
  writeFileSync(path.join(d, META), typeof meta === "string" ? meta : JSON.stringify(meta));
  return d;
}
const here = { node: process.version, platform: process.platform, arch: process.arch };

describe("choosing the user-process program", () => {
  it("is the snapshot, started with the bundle's path as argv[1], when everything matches", () => {
    const d = fakeUserDir({ ...here, env: { ASIMAP_X: null, ASIMAP_Y: "7" } });
    const e = chooseUserEntry(d, { ASIMAP_Y: "7" });
    expect(e).toEqual({ kind: "snapshot", argv: ["--snapshot-blob", path.join(d, BLOB), "--", path.join(d, BUNDLE)],
      ifUnusable: [path.join(d, BUNDLE)] });
  });

  it("is the bundle when the blob is missing, unreadably described, or built by another node", () => {
    const noBlob = fakeUserDir(undefined, ["main.js", BUNDLE]);
    expect(chooseUserEntry(noBlob, {})).toMatchObject({ kind: "bundle", argv: [path.join(noBlob, BUNDLE)],
      fallback: expect.stringMatching(/main\.snapshot\.blob is missing/) });
    expect(chooseUserEntry(fakeUserDir("{not json"), {})).toMatchObject({ kind: "bundle",
      fallback: expect.stringMatching(/main\.snapshot\.json unreadable/) });
    expect(chooseUserEntry(fakeUserDir({ ...here, node: "v0.0.1", env: {} }), {})).toMatchObject({ kind: "bundle",
      fallback: expect.stringMatching(/built by node v0\.0\.1/) });
    expect(chooseUserEntry(fakeUserDir({ ...here, arch: "vax", env: {} }), {})).toMatchObject({ kind: "bundle" });
  });

  it("is the bundle when a variable read while the snapshot was built now has another value", () => {
    const d = fakeUserDir({ ...here, env: { ASIMAP_MESSAGE_CACHE_BYTES: null } });
    expect(chooseUserEntry(d, {}).kind).toBe("snapshot");
    expect(chooseUserEntry(d, { ASIMAP_MESSAGE_CACHE_BYTES: "1000" })).toMatchObject({ kind: "bundle",
      fallback: expect.stringMatching(/ASIMAP_MESSAGE_CACHE_BYTES/) });
  });

  it("is the plain entry without a bundle, and no faster than ASIMAPD_USER_ENTRY asks", () => {
    const d = fakeUserDir(undefined, ["main.js", BLOB]);
    expect(chooseUserEntry(d, {})).toMatchObject({ kind: "plain", argv: [path.join(d, "main.js")],
      fallback: expect.stringMatching(/main\.bundle\.cjs is missing/) });
    const all = fakeUserDir();
    expect(chooseUserEntry(all, {}, "bundle").kind).toBe("bundle");
    expect(chooseUserEntry(all, {}, "plain").kind).toBe("plain");
    expect(wantedUserEntry({})).toBe("snapshot");
    expect(wantedUserEntry({ ASIMAPD_USER_ENTRY: "bundle" })).toBe("bundle");
    expect(() => wantedUserEntry({ ASIMAPD_USER_ENTRY: "fast" })).toThrow(/snapshot, bundle or plain/);
  });

  it("finds the snapshot that npm run build made, for this node", () => {
    for (const f of [BUNDLE, BLOB, META]) expect(existsSync(path.join(BUILT_USER_DIR, f)), f).toBe(true);
    expect(chooseUserEntry(BUILT_USER_DIR).kind).toBe("snapshot");
  });
});

/** Log lines (pino JSON) of a daemon and its user processes. */
const lines = (text: string) => text.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as
  Record<string, unknown>);

let dir: string;
let cert: { cert: string; key: string };

beforeAll(async () => {
  dir = tempDir();
  makeMaildir(dir, "mail");
  writePwfile(dir, [`u:${await pbkdf2Encode("pw", "salt", 1000)}:mail`]);
  cert = makeCert();
});

/** Logs in, reads the inbox (SQLite state and MIME parsing in the user process), logs out. */
async function readMail(d: Daemon): Promise<void> {
  const c = await Client.tls(d.port, "127.0.0.1", freshLoopback());
  try {
    expect((await c.cmd("LOGIN u pw")).at(-1)).toMatch(/^t\d+ OK/);
    const sel = await c.cmd("SELECT INBOX");
    expect(sel.at(-1)).toMatch(/OK \[READ-WRITE\]/);
    expect(sel).toContainEqual(expect.stringMatching(/^\* \d+ EXISTS$/));
    const f = await c.cmd("FETCH 1 (UID ENVELOPE BODYSTRUCTURE)");
    expect(f.at(-1)).toMatch(/^t\d+ OK/);
    expect(f[0]).toMatch(/^\* 1 FETCH \(UID \d+ ENVELOPE \(/);
    expect((await c.cmd("LOGOUT")).at(-1)).toMatch(/^t\d+ OK/);
  } finally {
    c.close();
  }
}

/** Starts asimapd from `cliDir`, reads mail through it and returns what it and its user process logged. */
async function serveOnce(cliDir?: string, env: Record<string, string> = {}, extra: string[] = []):
  Promise<{ root: Record<string, unknown>; user: Record<string, unknown>; stdout: string }> {
  const d = await startDaemon(["--cert", cert.cert, "--key", cert.key, "--pwfile", path.join(dir, "pwfile"),
    "--user-pool", "0", ...extra], env, cliDir);
  try {
    await readMail(d);
  } finally {
    await d.stop();
  }
  const all = lines(d.logs());
  const root = all.find((l) => "userEntry" in l);
  const user = all.find((l) => l.msg === "user process ready");
  expect(root, d.logs()).toBeDefined();
  expect(user, d.logs()).toBeDefined();
  return { root: root!, user: user!, stdout: d.logs() };
}

describe("asimapd's user processes", () => {
  it("start from the startup snapshot by default, and serve mail", async () => {
    const { root, user } = await serveOnce();
    expect(root).toMatchObject({ level: 30, userEntry: "snapshot", msg: "user processes start from the startup snapshot" });
    expect(user).toMatchObject({ start: "snapshot" });
  });

  it("log through a pino transport (--log-config: worker threads) from the snapshot", async () => {
    // pino-pretty in a worker thread, to stdout: root and user process both can write there
    writeFileSync(path.join(dir, "log.json"), JSON.stringify({ transport: { targets: [
      { target: "pino-pretty", options: { destination: 1, colorize: false, singleLine: true } }] } }));
    const d = await startDaemon(["--cert", cert.cert, "--key", cert.key, "--pwfile", path.join(dir, "pwfile"),
      "--user-pool", "0", "--log-config", path.join(dir, "log.json")]);
    try {
      await readMail(d);
    } finally {
      await d.stop();
    }
    expect(d.logs()).toMatch(/user processes start from the startup snapshot/);
    expect(d.logs()).toMatch(/user process ready .*"start":"snapshot"/);
  });

  it.each(["0", "1"])("start from the bundle when node refuses the snapshot (V8 flags differ), after one error (--user-pool %s)", async (pool) => {
    // node will not load a blob under other V8 flags (exit 14): the first process dies so (a
    // spare, or the one started for the login, which is then retried), and every later start is
    // the bundle
    const { root, user, stdout } = await serveOnce(undefined, { ASIMAP_USER_NODE_OPTIONS: "--max-old-space-size=300" },
      ["--user-pool", pool]);
    expect(root).toMatchObject({ userEntry: "snapshot" });
    expect(user).toMatchObject({ start: "bundle" });
    const errors = lines(stdout).filter((l) => l.level === 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 14, msg: expect.stringMatching(/starting the fallback from now on/) });
  });

  it("ASIMAPD_USER_ENTRY=plain starts the plain modules", async () => {
    const { root, user } = await serveOnce(undefined, { ASIMAPD_USER_ENTRY: "plain" });
    expect(root).toMatchObject({ level: 30, userEntry: "plain", msg: "user processes start from the plain modules" });
    expect(user).toMatchObject({ start: "plain" });
  });
});

describe("a user process's environment", () => {
  it("as root keeps only what the process needs: not root's HOME, USER, LOGNAME, MH or anything unknown", () => {
    const env = { HOME: "/root", USER: "root", LOGNAME: "root", MH: "/root/.mh_profile", SSH_AUTH_SOCK: "/tmp/agent",
      PATH: "/usr/bin", TZ: "Europe/Paris", LANG: "C.UTF-8", LC_ALL: "C", NODE_OPTIONS: "--x", NODE_V8_COVERAGE: "/c",
      UV_THREADPOOL_SIZE: "8", ASIMAP_MESSAGE_CACHE_BYTES: "0", ENABLE_MH_FILE_LOCKING: "true", NODE_EXTRA_CA_CERTS: "/ca" };
    expect(userProcessEnv(env, true)).toEqual({ PATH: "/usr/bin", TZ: "Europe/Paris", LANG: "C.UTF-8", LC_ALL: "C",
      NODE_OPTIONS: "--x", NODE_V8_COVERAGE: "/c", UV_THREADPOOL_SIZE: "8", ASIMAP_MESSAGE_CACHE_BYTES: "0",
      ENABLE_MH_FILE_LOCKING: "true" });
    // not root: the process runs as asimapd's own user, whose HOME and MH these are
    const { NODE_EXTRA_CA_CERTS: _ca, ...mine } = env;
    expect(userProcessEnv(env, false)).toEqual(mine);
  });

  it("is asimapd's without NODE_EXTRA_CA_CERTS (parsed by every node start; a user process verifies no TLS peer)", async () => {
    const d = await startDaemon(["--cert", cert.cert, "--key", cert.key, "--pwfile", path.join(dir, "pwfile"),
      "--user-pool", "0"], { NODE_EXTRA_CA_CERTS: cert.cert, ASIMAP_TEST_MARK: "kept" });
    const c = await Client.tls(d.port, "127.0.0.1", freshLoopback());
    try {
      expect((await c.cmd("LOGIN u pw")).at(-1)).toMatch(/^t\d+ OK/);
      await until(() => lines(d.logs()).some((l) => l.msg === "user process ready"));
      const user = lines(d.logs()).find((l) => l.msg === "user process ready")!;
      const environ = readFileSync(`/proc/${user.pid as number}/environ`, "latin1").split("\0");
      expect(environ).toContain("ASIMAP_TEST_MARK=kept");
      expect(environ.filter((v) => v.startsWith("NODE_EXTRA_CA_CERTS="))).toEqual([]);
      const rootEnv = readFileSync(`/proc/${d.proc.pid}/environ`, "latin1").split("\0");
      expect(rootEnv).toContain(`NODE_EXTRA_CA_CERTS=${cert.cert}`); // the test really set it
      expect((await c.cmd("SELECT INBOX")).at(-1)).toMatch(/OK \[READ-WRITE\]/);
    } finally {
      c.close();
      await d.stop();
    }
  });
});

describe("a copy of dist/ moved elsewhere", () => {
  let copy: string;
  afterAll(() => {
    if (copy) rmSync(copy, { recursive: true, force: true });
  });
  beforeAll(() => {
    copy = tempDir("asimapd-moved-");
    cpSync(path.join(ROOT, "dist", "src"), path.join(copy, "dist", "src"), { recursive: true });
    cpSync(path.join(ROOT, "package.json"), path.join(copy, "package.json"));
    symlinkSync(path.join(ROOT, "node_modules"), path.join(copy, "node_modules"));
  });
  const cli = () => path.join(copy, "dist", "src", "cli");
  const userDir = () => path.join(copy, "dist", "src", "user");

  it("starts user processes from its snapshot, which finds the native addons from where it is now", async () => {
    const { root, user } = await serveOnce(cli());
    expect(root).toMatchObject({ userEntry: "snapshot" });
    expect(user).toMatchObject({ start: "snapshot" });
  });

  it("falls back to the bundle without the blob, and says once why", async () => {
    rmSync(path.join(userDir(), BLOB));
    const { root, user, stdout } = await serveOnce(cli());
    expect(root).toMatchObject({ level: 40, userEntry: "bundle", reason: expect.stringMatching(/main\.snapshot\.blob is missing/) });
    expect(user).toMatchObject({ start: "bundle" });
    expect(stdout.split("\n").filter((l) => l.includes('"userEntry"'))).toHaveLength(1);
  });

  it("falls back to the plain modules without the bundle", async () => {
    rmSync(path.join(userDir(), BUNDLE));
    const { root, user } = await serveOnce(cli());
    expect(root).toMatchObject({ level: 40, userEntry: "plain", reason: expect.stringMatching(/main\.bundle\.cjs is missing/) });
    expect(user).toMatchObject({ start: "plain" });
  });
});
