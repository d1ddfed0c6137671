// The design's import rules (DESIGN.md, "Who may import whom"), held against the sources: no
// file imports one that imports it back, by any path; folders import only the folders the
// design names; a command never imports the session that dispatches to it.
import { describe, expect, it } from "vitest";
import { circles, folderOf, importGraph } from "./import-graph.js";

/** folder → the folders (or top-level files) it may import; a folder may always import itself */
const ALLOWED: Record<string, readonly string[]> = {
  cli: ["daemon", "auth-http", "trace", "log.ts", "cpu-profile.ts", "claim-signals.ts"],
  daemon: ["protocol"],
  // asimapd-auth: the password file, hashers and throttle of the root process
  "auth-http": ["daemon"],
  user: ["imap", "protocol", "trace", "log.ts", "cpu-profile.ts", "claim-signals.ts", "signal-guard.ts"],
  imap: ["protocol", "store", "message"],
  store: ["mh", "message", "native"],
  // the trace record's type, which the engine defines
  trace: ["imap"],
  message: ["native"],
  mh: ["native"],
  protocol: ["gen"],
  native: [],
  "": ["live-memory.ts", "signal-guard.ts"],
};

describe("the import rules", () => {
  const graph = importGraph();

  it("has no import circle in src", () => {
    expect(circles(graph)).toEqual([]);
  });

  it("imports across folders only where the design allows", () => {
    const wrong: string[] = [];
    for (const [file, deps] of graph) {
      const from = folderOf(file);
      for (const dep of deps) {
        const to = folderOf(dep) || dep;
        if (to === from) continue;
        if (!(ALLOWED[from] ?? []).includes(to)) wrong.push(`${file} -> ${dep}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("lets only the engine's entry import the session", () => {
    const importers = [...graph].filter(([, deps]) => deps.includes("imap/session.ts")).map(([f]) => f);
    expect(importers).toEqual(["imap/user-server.ts"]);
  });

  it("finds a circle when there is one (the check can fail)", () => {
    const g = new Map([["a.ts", ["b.ts"]], ["b.ts", ["c.ts"]], ["c.ts", ["a.ts"]], ["d.ts", ["a.ts"]]]);
    expect(circles(g)).toEqual([["a.ts", "b.ts", "c.ts"]]);
  });
});
