// Dovecot's imaptest, built once for the peer tests (test/peers) and the stress bench
// (bench/imap/stress.ts): from the archive in shared/imaptest beside the repository (as CI checks
// it out) into one cache outside the tree, ~/.cache/asimap/imaptest-<hash of build.sh and archive>.
// Here (bench/) because the bench is compiled and cannot import test/; the tests import bench/.
// Run as a script, it prints the Debian packages a build still needs (bench/run.sh installs them).
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { homedir, tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { nativeAddon } from "../../src/native/addon.js";

const ARCHIVE = "imaptest-924f619.tar.gz";

/** build.sh, the archive and make_stress_mbox.py: ASIMAP_IMAPTEST_SRC, else the nearest
 *  shared/imaptest above this file (a worktree sits deeper than the main checkout). */
export function imaptestSource(): string {
  if (process.env.ASIMAP_IMAPTEST_SRC) return process.env.ASIMAP_IMAPTEST_SRC;
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (let dir = here; ; dir = path.dirname(dir)) {
    const d = path.join(dir, "shared", "imaptest");
    if (existsSync(path.join(d, "build.sh"))) return d;
    if (path.dirname(dir) === dir) return `shared/imaptest (in no directory above ${here})`;
  }
}

const haveSources = (src: string): boolean =>
  existsSync(path.join(src, "build.sh")) && existsSync(path.join(src, ARCHIVE));

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

/** The Debian packages a build needs that are not installed (none when a build is cached). */
export function missingPackages(): string[] {
  if (haveSources(imaptestSource()) && existsSync(path.join(cacheDir(), "complete"))) return [];
  return PREREQUISITES.filter(([, ok]) => !ok()).map(([pkg]) => pkg);
}

/** One line saying what is missing to build imaptest, or null when all is there. */
export function missingPrerequisites(): string | null {
  const src = imaptestSource();
  if (!haveSources(src)) {
    return `imaptest sources not found: ${src}/{build.sh,${ARCHIVE}} (the shared/ checkout beside the repository)`;
  }
  const missing = missingPackages();
  if (missing.length === 0) return null;
  return `imaptest cannot be built: missing Debian packages: ${missing.join(" ")} ` +
    `(apt-get install ${missing.join(" ")}; .ci/run installs them)`;
}

/** The archive imaptest is built from (the scripted tests are listed from it). */
export const imaptestArchive = (): string => path.join(imaptestSource(), ARCHIVE);

function cacheRoot(): string {
  const xdg = process.env.XDG_CACHE_HOME;
  return path.join(xdg ? xdg : homedir() ? path.join(homedir(), ".cache") : tmpdir(), "asimap");
}

function cacheDir(): string {
  const src = imaptestSource();
  const key = createHash("sha256")
    .update(readFileSync(path.join(src, "build.sh")))
    .update(readFileSync(imaptestArchive()))
    .digest("hex").slice(0, 16);
  return path.join(cacheRoot(), `imaptest-${key}`);
}

/**
 * Builds imaptest unless a complete build of the same build.sh and archive is cached; returns its
 * src directory (the binary `imaptest`, the scripted tests in `tests/`). Runs that start at once
 * (test files in parallel, a bench beside the tests) build it once: the first takes an fcntl lock
 * beside the cache, the others wait for it and find the build done. The kernel drops the lock of a
 * process that dies, so a killed build blocks no one.
 */
export async function ensureImaptest(log: (s: string) => void = () => {}): Promise<string> {
  const dir = cacheDir();
  const src = path.join(dir, "imaptest", "src");
  const complete = path.join(dir, "complete");
  if (existsSync(complete)) return src;
  mkdirSync(cacheRoot(), { recursive: true });
  const fh = await open(`${dir}.lock`, "a");
  try {
    // released when fh closes; polled, since our fcntl never waits
    while (!nativeAddon().tryLockExclusive(fh.fd)) await new Promise((r) => setTimeout(r, 200));
    if (existsSync(complete)) return src; // another run built it while we waited
    // Built beside the final place and renamed: a run killed halfway leaves no "complete" build.
    // Its directory is removed here (only the lock's holder builds); the build it started may
    // still be running, so ours gets a directory of its own.
    for (const f of readdirSync(cacheRoot())) {
      if (f.startsWith(`${path.basename(dir)}.build-`)) rmSync(path.join(cacheRoot(), f), { recursive: true, force: true });
    }
    const work = `${dir}.build-${process.pid}`;
    log(`building imaptest into ${dir}`);
    try {
      await promisify(execFile)("bash", [path.join(imaptestSource(), "build.sh"), work], { maxBuffer: 64 << 20 });
    } catch (e) {
      const err = e as { stdout?: string; stderr?: string };
      throw new Error(`imaptest build failed (${imaptestSource()}/build.sh ${work}):\n${err.stdout}${err.stderr}`);
    }
    writeFileSync(path.join(work, "complete"), new Date().toISOString() + "\n");
    rmSync(dir, { recursive: true, force: true }); // an incomplete leftover
    renameSync(work, dir);
    return src;
  } finally {
    await fh.close();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  process.stdout.write(missingPackages().join(" ") + "\n");
}
