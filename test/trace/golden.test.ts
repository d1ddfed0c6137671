// Golden protocol traces: every traces/<name>/ (trace.jsonl + mail-before/) is replayed against
// a freshly started asimapd on a fresh copy of its mail; any difference fails.
// Recording and adding one: traces/README.md.
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readTrace } from "../../src/trace/reader.js";
import { replay } from "../../src/trace/replay/replay.js";
import { formatReport } from "../../src/trace/replay/report.js";
// @ts-expect-error plain JS shared with traces/record.mjs
import { ROOT, startAsimapd } from "../../traces/lib/server.mjs";

const TRACES = path.join(ROOT as string, "traces");
const names = readdirSync(TRACES).filter((n) => existsSync(path.join(TRACES, n, "trace.jsonl")));

describe("golden traces replay on a fresh asimapd without a difference", () => {
  it("there are golden traces", () => {
    expect(names.length).toBeGreaterThan(0);
  });

  for (const name of names) {
    it(name, async () => {
      const trace = await readTrace(path.join(TRACES, name, "trace.jsonl"));
      const server = await startAsimapd({ mailBefore: path.join(TRACES, name, "mail-before") });
      try {
        // Our own recordings: even the human text must not change unnoticed.
        const result = await replay(trace, {
          host: "127.0.0.1", port: server.port, tls: true, insecure: true, user: server.user, password: server.password,
        }, { strictText: true });
        const report = formatReport(result);
        expect(report, report).toMatch(/ 0 differ$/);
      } finally {
        await server.stop();
        server.cleanup();
      }
    });
  }
});
