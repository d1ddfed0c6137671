// Redaction of message contents in traces (src/trace/redact.ts, TraceRecorder): what is
// replaced, that the streaming redactor does not depend on where the server's output is cut,
// that it agrees with the replay's normalisation of whole responses, and that the reader and the
// replay understand the markers.
import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseTrace, TraceFormatError } from "../../src/trace/reader.js";
import { ServerRedactor, redactClientCommand, redactResponse } from "../../src/trace/redact.js";
import { ReplayError } from "../../src/trace/replay/connection.js";
import { frameAll } from "../../src/trace/replay/response-splitter.js";
import { replay } from "../../src/trace/replay/replay.js";
import { SASL_REDACTED, TraceRecorder } from "../../src/trace/writer.js";

const mark = (bytes: string) =>
  `\u27e6asimap-redacted ${bytes.length} bytes sha256:${createHash("sha256").update(bytes, "latin1").digest("hex")}\u27e7`;

/** Feeds `stream` to a fresh redactor cut at `cuts` (sorted offsets); returns what it recorded. */
function redactCut(stream: string, cuts: number[]): string {
  const r = new ServerRedactor();
  let out = "";
  let at = 0;
  for (const c of [...cuts, stream.length]) {
    out += r.push(stream.slice(at, c));
    at = c;
  }
  return out;
}

describe("server output", () => {
  it("replaces the literals of BODY[...], BINARY[...] and RFC822* in FETCH responses, nothing else", () => {
    const stream =
      "* 1 FETCH (UID 1 BODY[HEADER.FIELDS (SUBJECT)] {11}\r\nSubject: x\n BODY[]<5> {3}\r\nabc)\r\n" +
      "* 2 FETCH (ENVELOPE (NIL {4}\r\nsubj NIL NIL NIL NIL NIL NIL NIL NIL NIL) RFC822 {2}\r\nhi)\r\n" +
      '* LIST () "/" {7}\r\nRFC822 \r\n' +
      "* 3 FETCH (RFC822.HEADER {0}\r\n BINARY[1.2] ~{2}\r\n\0x)\r\n" +
      '* 4 FETCH (BODY[HEADER.FIELDS ("X]")] {5}\r\nX]: 1)\r\nA1 OK done\r\n';
    expect(redactCut(stream, [])).toBe(
      `* 1 FETCH (UID 1 BODY[HEADER.FIELDS (SUBJECT)] {11}\r\n${mark("Subject: x\n")} BODY[]<5> {3}\r\n${mark("abc")})\r\n` +
      `* 2 FETCH (ENVELOPE (NIL {4}\r\nsubj NIL NIL NIL NIL NIL NIL NIL NIL NIL) RFC822 {2}\r\n${mark("hi")})\r\n` +
      '* LIST () "/" {7}\r\nRFC822 \r\n' +
      `* 3 FETCH (RFC822.HEADER {0}\r\n BINARY[1.2] ~{2}\r\n${mark("\0x")})\r\n` +
      `* 4 FETCH (BODY[HEADER.FIELDS ("X]")] {5}\r\n${mark("X]: 1")})\r\nA1 OK done\r\n`,
    );
  });

  // Responses a server could send, bodies holding anything (CRLF, braces, announcements).
  const body = fc.string({ unit: fc.constantFrom("a", "Z", "\r", "\n", "\r\n", "{", "}", " ", "(", ")", "\0", "\xe9", "* 1 FETCH (BODY[] {3}\r\n"), maxLength: 40 });
  const item = fc.oneof(
    fc.tuple(fc.constantFrom("BODY[]", "BODY[TEXT]", "BODY[1.MIME]", 'BODY[HEADER.FIELDS ("X]")]', "BODY[]<7>", "BINARY[1]", "RFC822", "RFC822.HEADER", "RFC822.TEXT"), body)
      .map(([name, b]) => ({ text: `${name} {${b.length}}\r\n${b}`, body: b })),
    fc.constantFrom({ text: "UID 4", body: "" }, { text: "FLAGS (\\Seen)", body: "" }),
  );
  const response = fc.oneof(
    fc.tuple(fc.nat(20), fc.array(item, { minLength: 1, maxLength: 3 })).map(([n, items]) => ({
      text: `* ${n + 1} FETCH (${items.map((i) => i.text).join(" ")})`, bodies: items.map((i) => i.body).filter(Boolean),
    })),
    fc.constantFrom({ text: "* 3 EXISTS", bodies: [] as string[] }, { text: 'A1 OK [UIDNEXT 5] "{3}"', bodies: [] as string[] }),
  );

  it("does not depend on where the output is cut, keeps framing, agrees with redactResponse, leaves no body (property)", () => {
    fc.assert(
      fc.property(fc.array(response, { minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { maxLength: 8 }), (responses, rawCuts) => {
        const stream = responses.map((r) => r.text + "\r\n").join("");
        const cuts = [...new Set(rawCuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
        const whole = redactCut(stream, []);
        expect(redactCut(stream, cuts)).toBe(whole);
        const framed = frameAll(whole);
        expect(framed).toEqual(responses.map((r) => redactResponse(r.text)));
        // normalising a redacted response again changes nothing (the replay's expected side)
        for (const f of framed) expect(redactResponse(f)).toBe(f);
        for (const r of responses) for (const b of r.bodies) expect(whole).toContain(mark(b));
      }),
      { numRuns: 1000 },
    );
  });
});

describe("client commands", () => {
  it("APPEND and MULTIAPPEND lose their messages, keep a literal mailbox name; other commands are untouched", () => {
    expect(redactClientCommand("A1 APPEND INBOX (\\Seen) {5}\r\nhello")).toBe(`A1 APPEND INBOX (\\Seen) {5}\r\n${mark("hello")}`);
    expect(redactClientCommand("A2 append {3+}\r\none {2+}\r\nhi ~{3}\r\na\0b"))
      .toBe(`A2 append {3+}\r\none {2+}\r\n${mark("hi")} ~{3}\r\n${mark("a\0b")}`);
    expect(redactClientCommand("A3 SEARCH TEXT {5}\r\nhello")).toBe("A3 SEARCH TEXT {5}\r\nhello");
    const once = redactClientCommand("A4 APPEND x {2}\r\nhi {2}\r\nho");
    expect(redactClientCommand(once)).toBe(once);
  });
});

describe("TraceRecorder", () => {
  const run = (bodies: boolean, feed: (r: TraceRecorder) => void) => {
    const lines: string[] = [];
    const r = new TraceRecorder("u", (l) => lines.push(l), { bodies });
    r.set(true);
    feed(r);
    return lines.slice(1).map((l) => JSON.parse(l) as { data?: string; msg_type: string });
  };
  const session = (r: TraceRecorder) => {
    const rec = (msg_type: "CONNECT" | "RECEIVED" | "SEND" | "CLOSE", data?: string) =>
      r.record({ connection: "c1", remote: "127.0.0.1:1", msg_type, ...(data === undefined ? {} : { data }) });
    rec("CONNECT");
    rec("RECEIVED", "A1 APPEND INBOX {11}\r\nSECRET-BODY");
    rec("RECEIVED", "A2 FETCH 1 BODY[]");
    rec("SEND", "* 1 FETCH (BODY[] {11}\r\nSECRET");
    rec("SEND", "-BODY");
    rec("SEND", ")\r\nA2 OK done\r\n");
    rec("RECEIVED", "A3 AUTHENTICATE PLAIN");
    rec("RECEIVED", "AHUAcHc=");
    rec("SEND", "AHUAcHc= BAD Missing command name after the tag\r\n");
    rec("RECEIVED", "A4 LOGIN u pw");
    rec("CLOSE");
  };

  it("records markers by default, the bytes with bodies: true; never the SASL response or a password", () => {
    const redacted = run(false, session);
    const text = JSON.stringify(redacted);
    expect(text).not.toContain("SECRET");
    expect(text).not.toContain("AHUAcHc=");
    expect(text).not.toContain(" pw");
    expect(redacted.filter((l) => l.msg_type === "SEND").map((l) => l.data)).toEqual([
      // the marker goes out with the chunk that ends the literal
      "* 1 FETCH (BODY[] {11}\r\n", mark("SECRET-BODY"), ")\r\nA2 OK done\r\n", `${SASL_REDACTED} BAD Missing command name after the tag\r\n`,
    ]);
    const full = JSON.stringify(run(true, session));
    expect(full).toContain("SECRET-BODY");
    expect(full).not.toContain("AHUAcHc=");
  });

  it("a LITERAL+ message sent during IDLE, which the server reads as command lines, is redacted with its echoes", () => {
    const lines = run(false, (r) => {
      const rec = (msg_type: "CONNECT" | "RECEIVED" | "SEND", data?: string) =>
        r.record({ connection: "c1", remote: "x", msg_type, ...(data === undefined ? {} : { data }) });
      rec("CONNECT");
      rec("RECEIVED", "A2 IDLE");
      rec("SEND", "+ idling\r\n");
      rec("RECEIVED", "A3 APPEND INBOX {24+}"); // "Subject: t\r\n\r\nSECRET\r\n"
      rec("SEND", "A2 BAD Expected DONE to end IDLE.\r\n");
      for (const [line, answer] of [["Subject: t", "Subject: BAD Unknown command T"], ["", "* BAD Empty command line"],
        ["SECRET", "SECRET BAD Missing command name after the tag"]]) {
        rec("RECEIVED", line);
        rec("SEND", `${answer}\r\n`);
      }
      rec("RECEIVED", "A4 NOOP");
      rec("RECEIVED", "A5 NOOP");
      rec("SEND", "A5 OK NOOP completed.\r\n");
    });
    const text = JSON.stringify(lines);
    expect(text).not.toContain("SECRET");
    expect(text).not.toContain("Subject");
    // each line's end counts as one byte, so one command after the literal may be redacted too
    expect(lines.slice(-2).map((l) => l.data)).toEqual(["A5 NOOP", "A5 OK NOOP completed.\r\n"]);
  });

  it("a connection already open when tracing starts is recorded without the server's output", () => {
    const lines = run(false, (r) => {
      r.record({ connection: "old", remote: "x", msg_type: "SEND", data: "SECRET-BODY in the middle of a literal\r\n" });
      r.record({ connection: "old", remote: "x", msg_type: "RECEIVED", data: "A9 NOOP" });
    });
    expect(lines.map((l) => l.msg_type)).toEqual(["RECEIVED"]);
  });
});

describe("reading and replaying a redacted trace", () => {
  const rec = (o: object) => JSON.stringify({ connection: "client-1", remote: "r", ...o });
  const head = JSON.stringify({ trace_format: "1.0", username: "u" });

  it("markers are the only characters above U+00FF a trace may hold", () => {
    const t = parseTrace([head, rec({ msg_type: "SEND", data: `* 1 FETCH (BODY[] {2}\r\n${mark("hi")})\r\n` })].join("\n"));
    expect(t.redacted).toBe(1);
    expect(t.records[0].redacted).toBe(true);
    expect(() => parseTrace([head, rec({ msg_type: "SEND", data: "\u27e6asimap-redacted 2 bytes sha256:zz\u27e7" })].join("\n")))
      .toThrow(/malformed redaction marker/);
    expect(() => parseTrace([head, rec({ msg_type: "SEND", data: "\u20ac" })].join("\n"))).toThrow(TraceFormatError);
  });

  it("a redacted APPEND is refused before connecting, naming the trace line and --trace-bodies", async () => {
    const t = parseTrace([head, rec({ msg_type: "CONNECT" }), rec({ msg_type: "RECEIVED", data: `A1 APPEND INBOX {2}\r\n${mark("hi")}` })].join("\n"));
    // port 9 (discard): were it to connect, the error would be a connection failure instead
    const target = { host: "127.0.0.1", port: 9, tls: false, insecure: false, user: "u", password: "p" };
    const err = await replay(t, target).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReplayError);
    expect((err as Error).message).toMatch(/^trace line 3 \(client-1\): .*redacted.*--trace-bodies/);
  });
});
