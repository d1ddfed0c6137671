// The old Python server's recorded sessions replayed against asimapd, from the same start
// state. Every command whose responses differ must be listed in traces/asimap-differences.json
// with a reason (explained in traces/asimap-differences.md); a new difference, or a listed one
// that went away, fails — so the list always says exactly where we differ from the old server.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readTrace } from "../../src/trace/reader.js";
import { replay } from "../../src/trace/replay/replay.js";
// @ts-expect-error plain JS shared with traces/record.mjs
import { ROOT, startAsimapd } from "../../traces/lib/server.mjs";
import { OLD_TRACES } from "../fixtures/paths.js";

const OLD = OLD_TRACES;
const LISTED: Record<string, Record<string, string>> = JSON.parse(
  readFileSync(path.join(ROOT as string, "traces/asimap-differences.json"), "utf8"),
);
const REASONS = readFileSync(path.join(ROOT as string, "traces/asimap-differences.md"), "utf8");

describe("the old server's traces, replayed against asimapd", () => {
  it("every listed reason is explained in asimap-differences.md", () => {
    for (const reasons of Object.values(LISTED)) {
      for (const r of new Set(Object.values(reasons))) expect(REASONS, r).toContain(`\`${r}\``);
    }
  });

  for (const name of ["idle", "errors", "fixtures"]) {
    it(`${name}: differs exactly where listed`, async () => {
      const trace = await readTrace(path.join(OLD, name, "asimap-trace.jsonl"));
      const server = await startAsimapd({ mailBefore: path.join(OLD, "mail-before") });
      try {
        // Human text differs everywhere (ours follows Dovecot's wording): by default not compared.
        const result = await replay(
          trace,
          { host: "127.0.0.1", port: server.port, tls: true, insecure: true, user: server.user, password: server.password },
          { commandTimeoutMs: 3000, settleMs: 500 },
        );
        const differing = result.results
          .filter((r) => !r.same)
          .map((r) => `${r.connection} ${r.index < 0 ? "(after)" : r.command.split(" ")[0]}`)
          .sort();
        expect(differing).toEqual(Object.keys(LISTED[name]).sort());
        // Each kind of difference the report counts is explained in asimap-differences.md.
        for (const [kind] of result.byKind) expect(REASONS, `kind ${kind}`).toContain(`\`${kind}\``);
      } finally {
        await server.stop();
        server.cleanup();
      }
    });
  }

  it("with strictText the human text counts too: more commands of the errors trace differ", async () => {
    const trace = await readTrace(path.join(OLD, "errors", "asimap-trace.jsonl"));
    const server = await startAsimapd({ mailBefore: path.join(OLD, "mail-before") });
    try {
      const result = await replay(
        trace,
        { host: "127.0.0.1", port: server.port, tls: true, insecure: true, user: server.user, password: server.password },
        { strictText: true, commandTimeoutMs: 3000, settleMs: 500 },
      );
      expect(result.differ).toBeGreaterThan(Object.keys(LISTED.errors).length);
      expect(result.byKind.map(([k]) => k)).toContain("completion text");
    } finally {
      await server.stop();
      server.cleanup();
    }
  });
});
