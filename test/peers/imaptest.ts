// Dovecot's imaptest as a peer: built once from the archive in ../shared/imaptest (beside the
// repository, as CI checks it out) into a cache outside the tree, then run against a server.
import { execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import * as path from "node:path";
import { ROOT } from "../daemon/harness.js";

/** build.sh and the archive; ASIMAP_IMAPTEST_SRC points elsewhere (a worktree has no ../shared). */
export const IMAPTEST_SRC = process.env.ASIMAP_IMAPTEST_SRC ?? path.resolve(ROOT, "..", "shared", "imaptest");
const ARCHIVE = "imaptest-924f619.tar.gz";

/** What build.sh needs, as Debian packages: the check each makes, and the package that fixes it. */
const PREREQUISITES: Array<[string, () => boolean]> = [
  ["dovecot-dev", () => existsSync("/usr/lib/dovecot/dovecot-config")],
  ["dovecot-core", () => existsSync("/usr/lib/dovecot/libdovecot.so.0")],
  ["autoconf", () => onPath("autoconf")],
  ["automake", () => onPath("automake") && onPath("aclocal")],
  ["libtool", () => onPath("libtoolize")],
  ["pkg-config", () => onPath("pkg-config")],
  ["make", () => onPath("make")],
  ["gcc", () => onPath("cc")],
  ["patch", () => onPath("patch")],
];

function onPath(cmd: string): boolean {
  return (process.env.PATH ?? "/usr/bin:/bin").split(":").some((d) => d !== "" && existsSync(path.join(d, cmd)));
}

/** One line saying what is missing to build imaptest, or null when all is there. */
export function missingPrerequisites(): string | null {
  if (!existsSync(path.join(IMAPTEST_SRC, "build.sh")) || !existsSync(path.join(IMAPTEST_SRC, ARCHIVE))) {
    return `imaptest sources not found: ${IMAPTEST_SRC}/{build.sh,${ARCHIVE}} (the shared/ checkout beside the repository)`;
  }
  const missing = PREREQUISITES.filter(([, ok]) => !ok()).map(([pkg]) => pkg);
  if (missing.length === 0) return null;
  return `imaptest cannot be built: missing Debian packages: ${missing.join(" ")} ` +
    `(apt-get install ${missing.join(" ")}; .ci/run installs them)`;
}

/** The scripted test groups imaptest runs for test=src/tests (its files, not .mbox, not broken/). */
export function scriptedGroups(): string[] {
  const names = execFileSync("tar", ["-tzf", path.join(IMAPTEST_SRC, ARCHIVE)], { encoding: "utf8" }).split("\n");
  return names
    .map((n) => /^imaptest\/src\/tests\/([^/.][^/]*)$/.exec(n)?.[1])
    .filter((n): n is string => n !== undefined && !n.endsWith(".mbox"))
    .sort();
}

function cacheRoot(): string {
  const xdg = process.env.XDG_CACHE_HOME;
  return path.join(xdg ? xdg : homedir() ? path.join(homedir(), ".cache") : tmpdir(), "asimap");
}

/** Builds imaptest unless a complete build of the same build.sh and archive is cached;
 *  returns its src directory (the binary `imaptest`, the scripted tests in `tests/`). */
export function ensureImaptest(): string {
  const key = createHash("sha256")
    .update(readFileSync(path.join(IMAPTEST_SRC, "build.sh")))
    .update(readFileSync(path.join(IMAPTEST_SRC, ARCHIVE)))
    .digest("hex").slice(0, 16);
  const dir = path.join(cacheRoot(), `imaptest-${key}`);
  const src = path.join(dir, "imaptest", "src");
  if (existsSync(path.join(dir, "complete"))) return src;
  mkdirSync(cacheRoot(), { recursive: true });
  // Built beside the final place and renamed: a run killed halfway leaves no "complete" build,
  // and two runs at once do not write into one tree.
  const work = `${dir}.build-${process.pid}`;
  rmSync(work, { recursive: true, force: true });
  try {
    execFileSync("bash", [path.join(IMAPTEST_SRC, "build.sh"), work], { stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    const err = e as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(`imaptest build failed (${IMAPTEST_SRC}/build.sh ${work}):\n${err.stdout}${err.stderr}`);
  }
  writeFileSync(path.join(work, "complete"), new Date().toISOString() + "\n");
  if (existsSync(path.join(dir, "complete"))) {
    rmSync(work, { recursive: true, force: true }); // another run finished first
    return src;
  }
  rmSync(dir, { recursive: true, force: true }); // an incomplete leftover
  renameSync(work, dir);
  return src;
}

export interface ImaptestResult {
  output: string;
  groups: number;
  failed: number;
  skipped: number;
  baseFailed: number;
  baseTotal: number;
  extFailed: number;
  /** groups named in a failure report */
  failedGroups: string[];
}

/** Runs scripted test(s) `test` (a group name, or "" for the whole tests directory). */
export function runImaptest(src: string, o: { port: number; user: string; pass: string; test: string }):
  Promise<ImaptestResult> {
  const args = [`host=127.0.0.1`, `port=${o.port}`, "ssl=any-cert", `user=${o.user}`, `pass=${o.pass}`,
    "mbox=tests/default.mbox", `test=${o.test ? `tests/${o.test}` : "tests"}`];
  return new Promise((resolve, reject) => {
    const p = spawn(path.join(src, "imaptest"), args, { cwd: src });
    let output = "";
    p.stdout.on("data", (d: Buffer) => (output += d.toString("latin1")));
    p.stderr.on("data", (d: Buffer) => (output += d.toString("latin1")));
    p.on("error", reject);
    p.on("close", (code) => {
      const s = parseSummary(output);
      if (!s) reject(new Error(`imaptest exited ${code} without a summary:\n${output}`));
      else resolve(s);
    });
  });
}

export function parseSummary(output: string): ImaptestResult | null {
  const g = /^(\d+) test groups: (\d+) failed, (\d+) skipped/m.exec(output);
  const b = /^base protocol: (\d+)\/(\d+) individual commands failed/m.exec(output);
  const x = /^extensions: (\d+)\/(\d+) individual commands failed/m.exec(output);
  if (!g || !b || !x) return null;
  const failedGroups = [...new Set([...output.matchAll(/^\*\*\* Test (\S+) /gm)].map((m) => m[1]))];
  return {
    output, groups: +g[1], failed: +g[2], skipped: +g[3], baseFailed: +b[1], baseTotal: +b[2], extFailed: +x[1],
    failedGroups,
  };
}

/** The capabilities a group says it needs (its `capabilities:` header), for the skip report. */
export function requiredCapabilities(src: string, group: string): string {
  const m = /^capabilities:\s*(.*)$/im.exec(readFileSync(path.join(src, "tests", group), "latin1"));
  return m ? m[1].trim() : "";
}
