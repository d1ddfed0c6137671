import { describe, expect, it } from "vitest";
import { TraceFormatError, byConnection, parseTrace, readTrace } from "../../src/trace/reader.js";
import { OLD_TRACES } from "../fixtures/paths.js";

const OLD = OLD_TRACES;

describe("trace reader on the old server's traces", () => {
  it("reads the idle trace: header, records, connections in order", async () => {
    const t = await readTrace(`${OLD}/idle/asimap-trace.jsonl`);
    expect(t.header.format).toBe("1.0");
    expect(t.header.username).toBe("tester");
    expect(t.header.startedAt).toBeUndefined();
    expect(t.records).toHaveLength(82); // 83 lines minus the header
    expect(t.connections).toEqual(["client-00000001", "client-00000002"]);
    expect(t.records[0]).toMatchObject({ kind: "CONNECT", connection: "client-00000001", line: 2 });
    expect(t.records[1]).toMatchObject({ kind: "RECEIVED", data: "A2 SELECT INBOX" });
  });

  it("keeps literals intact in client commands", async () => {
    const conns = byConnection(await readTrace(`${OLD}/idle/asimap-trace.jsonl`));
    const b = conns.get("client-00000002")!;
    const append = b.clientCommands.find((c) => c.includes("APPEND"))!;
    const text = append.toString("latin1");
    const m = /\{(\d+)\}\r\n/.exec(text)!;
    expect(m[1]).toBe("301");
    // Exactly the literal's bytes, then the command's CRLF.
    expect(append.length).toBe(m.index + m[0].length + 301 + 2);
    expect(text.endsWith("\r\n")).toBe(true);
  });

  it("concatenates a connection's server bytes in order, with literals", async () => {
    const conns = byConnection(await readTrace(`${OLD}/fixtures/asimap-trace.jsonl`));
    const f1 = conns.get("client-00000001")!.serverBytes.toString("latin1");
    expect(f1.startsWith("* CAPABILITY IMAP4REV1")).toBe(true);
    const m = /BODY\[\] \{(\d+)\}\r\n/.exec(f1);
    expect(m).not.toBeNull();
  });

  it("groups the errors trace into one connection per TCP connection", async () => {
    const t = await readTrace(`${OLD}/errors/asimap-trace.jsonl`);
    const conns = byConnection(t);
    expect(conns.size).toBe(20);
    // e5..e7 hung on an out-of-range FETCH and were never closed while tracing.
    const unclosed = [...conns.values()].filter((c) => c.records[c.records.length - 1].kind !== "CLOSE");
    expect(unclosed.map((c) => c.id)).toEqual(["client-00000005", "client-00000006", "client-00000007"]);
    for (const c of conns.values()) expect(c.records[0].kind).toBe("CONNECT");
    // A command timeout BAD the old server sent without its CRLF is kept as sent.
    const e4 = conns.get("client-00000004")!.serverBytes.toString("latin1");
    expect(e4).toContain("E4.4 BAD Command timed out: 'E4.4 FETCH'E4.5 OK");
  });

  it("reads bytes above 0x7f back exactly", () => {
    const t = parseTrace(
      `{"trace_format":"1.0"}\n{"connection":"c","msg_type":"SEND","data":"* OK caf\\u00e9\\r\\n"}\n`,
    );
    expect(Buffer.from(t.records[0].data!, "latin1")).toEqual(Buffer.from([...Buffer.from("* OK caf"), 0xe9, 13, 10]));
  });

  it("takes the recording's wall-clock start from the header when there is one", () => {
    const t = parseTrace(`{"trace_format":"1.0","trace_wall_time":1700000000.5}\n`);
    expect(t.header.startedAt).toBe(1_700_000_000_500);
  });

  it("rejects bad input with the line that is wrong", () => {
    expect(() => parseTrace(`{"trace_format":"1.0"}\nnot json\n`, "x")).toThrow(/x:2: not a JSON object/);
    expect(() => parseTrace(`{"trace_format":"2.0"}\n`, "x")).toThrow(/unsupported trace_format 2.0/);
    expect(() => parseTrace(`{"connection":"c","msg_type":"SEND"}\n`, "x")).toThrow(/SEND record without data/);
    expect(() => parseTrace(`{"connection":"c","msg_type":"SEND","data":"\\u20ac"}\n`, "x")).toThrow(/latin-1/);
    expect(() => parseTrace(`{"data":"x"}\n`, "x")).toThrow(TraceFormatError);
    expect(() => parseTrace("", "x")).toThrow(/empty trace/);
  });
});
