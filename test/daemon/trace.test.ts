import { describe, expect, it } from "vitest";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { RotatingTraceFile, TraceRecorder, traceFileName } from "../../src/trace/writer.js";
import { byConnection, parseTrace } from "../../src/trace/reader.js";
import { OLD_TRACES } from "../fixtures/paths.js";
import { tempDir } from "./harness.js"; // removed after the file's tests

const OLD = OLD_TRACES;

describe("trace reader reads the old server's traces", () => {
  it("every scenario", () => {
    const dirs = readdirSync(OLD).filter((d) => existsSync(path.join(OLD, d, "asimap-trace.jsonl")));
    expect(dirs.length).toBeGreaterThan(0);
    for (const d of dirs) {
      const f = path.join(OLD, d, "asimap-trace.jsonl");
      const t = parseTrace(readFileSync(f, "utf8"), f);
      expect(t.header).toMatchObject({ format: "1.0", username: "tester" });
      for (const [name, c] of byConnection(t)) {
        expect(name).toMatch(/^client-\d{8}$/);
        expect(c.records[0].kind).toBe("CONNECT");
      }
    }
  });
});

describe("trace writer", () => {
  it("writes format 1.0 that the reader reads back, header on each switch-on", () => {
    const lines: string[] = [];
    const r = new TraceRecorder("alice", (l) => lines.push(l));
    r.record({ connection: "client-00000001", remote: "1.2.3.4:5", msg_type: "CONNECT" }); // off: dropped
    expect(r.set(true)).toBe(true);
    r.record({ connection: "client-00000001", remote: "1.2.3.4:5", msg_type: "CONNECT" });
    r.record({ connection: "client-00000001", remote: "1.2.3.4:5", msg_type: "RECEIVED", data: "a1 NOOP" });
    r.record({ connection: "client-00000001", remote: "1.2.3.4:5", msg_type: "SEND", data: "a1 OK \xe9\r\n" });
    expect(r.set()).toBe(false);
    r.record({ connection: "client-00000001", remote: "1.2.3.4:5", msg_type: "CLOSE" });
    r.set();
    expect(lines).toHaveLength(5);
    expect(Object.keys(JSON.parse(lines[0]))).toEqual(
      ["trace_format", "trace_time", "trace_delta_time", "username", "trace_wall_time"]);
    expect(Object.keys(JSON.parse(lines[2]))).toEqual(
      ["data", "connection", "remote", "msg_type", "trace_time", "trace_delta_time", "username"]);
    const t = parseTrace(lines.join("\n"));
    expect(t.header.username).toBe("alice");
    expect(t.header.startedAt).toBeGreaterThan(Date.now() - 60_000);
    expect(t.records.map((r) => r.kind)).toEqual(["CONNECT", "RECEIVED", "SEND"]);
    expect(t.records[2]).toMatchObject({ data: "a1 OK \xe9\r\n" });
    expect(JSON.parse(lines[3]).remote).toBe("1.2.3.4:5");
  });

  it("never records the credentials of a LOGIN or AUTHENTICATE sent after login", () => {
    const lines: string[] = [];
    const r = new TraceRecorder("alice", (l) => lines.push(l));
    r.set(true);
    const rec = (data: string) => r.record({ connection: "c", remote: "r", msg_type: "RECEIVED", data });
    rec('a1 LOGIN alice "hunter2"');
    rec("a2 login alice {7}\r\nhunter2");
    rec("a3 AUTHENTICATE PLAIN AGFsaWNlAGh1bnRlcjI=");
    rec("a4 LOGINX foo");
    const text = lines.join("\n");
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain("AGFsaWNlAGh1bnRlcjI=");
    expect(lines.slice(1).map((l) => JSON.parse(l).data)).toEqual([
      'a1 LOGIN "redacted" "redacted"', 'a2 login "redacted" "redacted"', "a3 AUTHENTICATE PLAIN", "a4 LOGINX foo"]);
  });

  it("names files <user>-asimapd.trace inside the trace dir, whatever the user name", () => {
    expect(traceFileName("/t", "bob")).toBe("/t/bob-asimapd.trace");
    expect(traceFileName("/t", "../../etc/x")).toBe("/t/.._.._etc_x-asimapd.trace");
  });

  it("rotates by size keeping 5 backups", () => {
    const dir = tempDir("tr-");
    const f = new RotatingTraceFile(traceFileName(dir, "bob"), 1000, 5);
    const line = "x".repeat(99); // 100 bytes with LF
    for (let i = 0; i < 100; i++) f.writeLine(line);
    f.close();
    const names = readdirSync(dir).sort();
    expect(names).toEqual(["bob-asimapd.trace", ...[1, 2, 3, 4, 5].map((i) => `bob-asimapd.trace.${i}`)]);
    for (const n of names) expect(statSync(path.join(dir, n)).size).toBeLessThanOrEqual(1000);
    expect(readFileSync(path.join(dir, "bob-asimapd.trace.1"), "utf8").split("\n")[0]).toBe(line);
  });
});
