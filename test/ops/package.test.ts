// `make package` builds an installable tarball and `make install` puts the three commands on
// PATH. Here the tarball is installed into a temporary prefix (without install scripts, so no
// native rebuild: the commands run here need neither SQLite nor a compiler) and each bin runs.
import { afterAll, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const prefix = mkdtempSync(join(tmpdir(), "asimap-install-"));
const version = JSON.parse(readFileSync("package.json", "utf8")).version as string;
const tarball = `asimap-${version}.tgz`;
afterAll(() => {
  rmSync(prefix, { recursive: true, force: true });
  rmSync(tarball, { force: true });
});

it("packs the compiled server with its generated parser and installs the three commands", () => {
  // -o node_modules: never reinstall dependencies from inside the test run
  execFileSync("make", ["-o", "node_modules", "package"], { stdio: "pipe" });
  const files = execFileSync("tar", ["tzf", tarball]).toString().split("\n");
  expect(files).toEqual(expect.arrayContaining([
    "package/dist/src/cli/asimapd.js", "package/dist/src/cli/set-password.js", "package/dist/src/cli/asimap-replay.js",
    "package/dist/src/gen/imap-parser.js", "package/grammar/imap.peggy", "package/README.md",
    "package/dist/src/native/asimap_native.node", // the C part (folder scan, CRLF), compiled by npm run build
  ]));
  expect(files.filter((f) => f.startsWith("package/test/") || f.startsWith("package/node_modules/"))).toEqual([]);

  execFileSync("npm", ["install", "--global", "--prefix", prefix, "--omit=dev", "--ignore-scripts",
    "--prefer-offline", "--no-audit", "--no-fund", `./${tarball}`], { stdio: "pipe" });
  const bin = (name: string) => join(prefix, "bin", name);
  expect(execFileSync(bin("asimapd"), ["--version"]).toString().trim()).toBe(version);
  const pwfile = join(prefix, "pwfile");
  mkdirSync("/srv/mail/alice", { recursive: true }); // set_password refuses a maildir that does not exist
  execFileSync(bin("asimapd_set_password"), ["--pwfile", pwfile, "alice", "s3cret", "/srv/mail/alice"]);
  expect(readFileSync(pwfile, "utf8")).toMatch(/^alice:pbkdf2_sha256\$\d+\$[^$]+\$[^:]+:\/srv\/mail\/alice$/m);
  expect(statSync(pwfile).mode & 0o777).toBe(0o600);
  expect(execFileSync(bin("asimap-replay"), ["--help"]).toString()).toContain("Normalisation rules");
}, 240_000);
