// Every JSON log line of the root and of a user process names each key once (JSON.parse keeps
// the last of two and hides the first, a log shipper may keep either): checked on the raw text.
import { beforeAll, describe, expect, it } from "vitest";
import * as path from "node:path";
import { loginTls as login, makeCert, startDaemon, tempDir, userProcesses, usersWithMail } from "./harness.js";

/** The top-level keys of one JSON object, in order, duplicates kept. */
export function topLevelKeys(line: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  let wantKey = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '"') {
      let j = i + 1;
      while (line[j] !== '"') j += line[j] === "\\" ? 2 : 1;
      if (depth === 1 && wantKey) keys.push(JSON.parse(line.slice(i, j + 1)) as string);
      wantKey = false;
      i = j;
    } else if (c === "{" || c === "[") {
      depth++;
      wantKey = depth === 1 && c === "{";
    } else if (c === "}" || c === "]") {
      depth--;
    } else if (c === "," && depth === 1) {
      wantKey = true;
    }
  }
  return keys;
}

let pwfile: string;
beforeAll(async () => {
  pwfile = await usersWithMail(tempDir(), ["alice", "bob"]);
});

describe("JSON log lines", () => {
  it("the scanner sees a duplicate that JSON.parse hides", () => {
    expect(topLevelKeys('{"a":1,"b":{"a":2,"c":[{"d":"x\\",\\"a"}]},"a":3}')).toEqual(["a", "b", "a"]);
  });

  it("of the root and of user processes name each key once", async () => {
    const { cert, key } = makeCert();
    const d = await startDaemon(["--cert", cert, "--key", key, "--pwfile", pwfile, "--debug", "--processes-per-owner", "0",
      "--trace-dir", path.join(tempDir(), "traces")]);
    try {
      const a = await login(d, "alice");
      const b = await login(d, "bob");
      for (const c of [a, b]) {
        await c.cmd("SELECT INBOX");
        await c.cmd("FETCH 1:* (FLAGS)");
      }
      process.kill(userProcesses(d.proc.pid!).get("alice")![0], "SIGUSR1");
      a.close();
      await b.cmd("LOGOUT");
    } finally {
      await d.stop();
    }
    const lines = d.logs().split("\n").filter((l) => l.startsWith("{"));
    // (the first pid is the process's own: JSON.parse would give the last)
    const own = (l: string) => Number(/"pid":(\d+)/.exec(l)?.[1]);
    const root = lines.filter((l) => own(l) === d.proc.pid);
    const users = lines.filter((l) => own(l) !== d.proc.pid);
    // lines of both kinds that once carried a key twice: a child's pid, the engine's user
    expect(root.some((l) => /user process assigned/.test(l))).toBe(true);
    expect(users.some((l) => /connection attached/.test(l))).toBe(true);
    const repeated = lines.map((l) => ({ l, keys: topLevelKeys(l) })).filter(({ keys }) => new Set(keys).size !== keys.length);
    expect(repeated.map(({ l }) => l)).toEqual([]);
  });
});
