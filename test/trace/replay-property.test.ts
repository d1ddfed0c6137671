// Property: the server is deterministic up to the normalisation rules. fast-check generates
// random command sequences on two connections (select, append, store, copy, expunge, fetch),
// they run against asimapd with tracing on, and the trace replayed against a fresh asimapd on
// the same start state must not differ anywhere.
import fc from "fast-check";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseTrace } from "../../src/trace/reader.js";
import { replay } from "../../src/trace/replay/replay.js";
import { formatReport } from "../../src/trace/replay/report.js";
// @ts-expect-error plain JS shared with traces/record.mjs
import { runScript } from "../../traces/lib/driver.mjs";
// @ts-expect-error plain JS shared with traces/record.mjs
import { ROOT, startAsimapd } from "../../traces/lib/server.mjs";

const MAIL = path.join(ROOT as string, "traces/mail-fixtures");
const seq = fc.constantFrom("1", "2", "1:3", "2:*", "*");
const flag = fc.constantFrom("\\Seen", "\\Flagged", "\\Deleted", "\\Answered", "$Label1");
const op = fc.oneof(
  fc.constantFrom("SELECT INBOX", "SELECT one", "EXAMINE INBOX", "NOOP", "EXPUNGE", "CLOSE", "FETCH 1:* (UID FLAGS)"),
  fc.tuple(seq, fc.constantFrom("+FLAGS", "-FLAGS", "FLAGS", "+FLAGS.SILENT"), flag).map(([s, how, f]) => `STORE ${s} ${how} (${f})`),
  fc.tuple(fc.boolean(), seq, fc.constantFrom("INBOX", "one")).map(([uid, s, to]) => `${uid ? "UID " : ""}COPY ${s} ${to}`),
  fc.nat(99).map((n) => {
    const msg = `Subject: generated ${n}\r\n\r\nBody ${n}\r\n`;
    return `APPEND INBOX {${msg.length}+}\r\n${msg}`;
  }),
);
const session = fc.array(fc.tuple(fc.constantFrom("a", "b"), op), { minLength: 3, maxLength: 12 });

describe("replaying a recorded random session on a fresh server", () => {
  it("differs nowhere (property)", async () => {
    if (!existsSync(path.join(ROOT as string, "dist/src/cli/asimapd.js"))) throw new Error("run `npm run build` first");
    await fc.assert(
      fc.asyncProperty(session, async (ops) => {
        const steps = ops.map(([conn, text], i) => [conn, `${conn.toUpperCase()}${i + 1} ${text}`]);
        // Both sessions log out, so no connection is still open when the server stops.
        steps.push(["a", "AZ LOGOUT"], ["b", "BZ LOGOUT"]);
        const first = await startAsimapd({ mailBefore: MAIL, extraArgs: ["--trace-bodies"] }); // APPENDs are replayed
        try {
          await runScript(steps, first);
        } finally {
          await first.stop();
        }
        const trace = parseTrace(readFileSync(first.traceFile, "utf8"));
        first.cleanup();
        const second = await startAsimapd({ mailBefore: MAIL });
        try {
          const result = await replay(trace, {
            host: "127.0.0.1", port: second.port, tls: true, insecure: true, user: second.user, password: second.password,
          });
          const report = formatReport(result);
          expect(result.responses, report).toBe(ops.length + 2);
          expect(report, report).toMatch(/ 0 differ$/);
        } finally {
          await second.stop();
          second.cleanup();
        }
      }),
      // Each run starts two servers and replays (several seconds): a few runs keep the file
      // usable; PROP_RUNS=100 for a longer search.
      { numRuns: Number(process.env.PROP_RUNS ?? 3), endOnFailure: true },
    );
  });
});
