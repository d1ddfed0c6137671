// Dovecot's imaptest as a peer: built once (bench/lib/imaptest.ts, shared with the stress bench),
// then its scripted tests run against a server.
import { execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { imaptestArchive } from "../../bench/lib/imaptest.js";

export { ensureImaptest, missingPrerequisites } from "../../bench/lib/imaptest.js";

/** The scripted test groups imaptest runs for test=src/tests (its files, not .mbox, not broken/). */
export function scriptedGroups(): string[] {
  const names = execFileSync("tar", ["-tzf", imaptestArchive()], { encoding: "utf8" }).split("\n");
  return names
    .map((n) => /^imaptest\/src\/tests\/([^/.][^/]*)$/.exec(n)?.[1])
    .filter((n): n is string => n !== undefined && !n.endsWith(".mbox"))
    .sort();
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
