import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { RULES, newSideState, normalise, parseImapDateTime, type NormaliseContext } from "../../src/trace/replay/normalise.js";

const ctx = (command: string, extra: Partial<NormaliseContext> = {}): NormaliseContext => ({
  side: "got",
  command,
  state: newSideState(),
  ...extra,
});
const rule = (name: string) => RULES.find((r) => r.name === name)!;
// The marker of a redacted literal, computed here independently of src/trace/redact.ts.
const mark = (bytes: string) =>
  `\u27e6asimap-redacted ${bytes.length} bytes sha256:${createHash("sha256").update(bytes, "latin1").digest("hex")}\u27e7`;

// One case per rule: [rule, command, line, expected]. A new rule without a case fails below.
const CASES: Record<string, Array<[string, string, string]>> = {
  uidvalidity: [
    ["A1 SELECT inbox", "* OK [UIDVALIDITY 1795875743] UIDs valid", "* OK [UIDVALIDITY <uidvalidity INBOX#1>] UIDs valid"],
    ['A2 APPEND "Sent Items" {3}\r\nabc', "A2 OK [APPENDUID 7 12] done", "A2 OK [APPENDUID <uidvalidity Sent Items#1> 12] done"],
    ["A3 UID COPY 1:2 Drafts", "A3 OK [COPYUID 9 1:2 5:6] done", "A3 OK [COPYUID <uidvalidity Drafts#1> 1:2 5:6] done"],
    ["A4 STATUS x (UIDVALIDITY)", '* STATUS "one" (MESSAGES 2 UIDVALIDITY 44)', '* STATUS "one" (MESSAGES 2 UIDVALIDITY <uidvalidity one#1>)'],
  ],
  "server-set-internaldate": [
    ["A5 FETCH 9 INTERNALDATE", '* 9 FETCH (INTERNALDATE "14-Nov-2023 22:13:20 +0000")', "* 9 FETCH (INTERNALDATE <set by server>)"],
    ["A6 FETCH 1 INTERNALDATE", '* 1 FETCH (INTERNALDATE " 1-Jan-2020 01:00:00 +0000")', '* 1 FETCH (INTERNALDATE " 1-Jan-2020 01:00:00 +0000")'],
  ],
  "redacted-literal": [
    ["A1 FETCH 1 BODY[]", "* 1 FETCH (UID 4 BODY[] {5}\r\nhello)", `* 1 FETCH (UID 4 BODY[] {5}\r\n${mark("hello")})`],
    ["A2 FETCH 1 (BINARY[1] RFC822.TEXT)", "* 1 FETCH (BINARY[1] ~{3}\r\na\0b RFC822.TEXT {2}\r\nhi)", `* 1 FETCH (BINARY[1] ~{3}\r\n${mark("a\0b")} RFC822.TEXT {2}\r\n${mark("hi")})`],
    ["A3 FETCH 1 BODY[]<0.2>", `* 1 FETCH (BODY[]<0> {2}\r\n${mark("he")})`, `* 1 FETCH (BODY[]<0> {2}\r\n${mark("he")})`],
    ["A4 FETCH 1 ENVELOPE", "* 1 FETCH (ENVELOPE (NIL {3}\r\nabc NIL NIL NIL NIL NIL NIL NIL NIL NIL))", "* 1 FETCH (ENVELOPE (NIL {3}\r\nabc NIL NIL NIL NIL NIL NIL NIL NIL NIL))"],
    ['A5 LIST "" *', '* LIST () "/" {6}\r\nBODY[]', '* LIST () "/" {6}\r\nBODY[]'],
  ],
  "flag-order": [
    ["A1 FETCH 3 FLAGS", "* 3 FETCH (FLAGS (\\Seen \\Recent \\Deleted) UID 4)", "* 3 FETCH (FLAGS (\\Deleted \\Recent \\Seen) UID 4)"],
    ["A2 SELECT x", "* OK [PERMANENTFLAGS (\\Seen \\*)] ok", "* OK [PERMANENTFLAGS (\\* \\Seen)] ok"],
    ["A3 FETCH 1 FLAGS", "* 1 FETCH (FLAGS ())", "* 1 FETCH (FLAGS ())"],
  ],
  "fetch-item-order": [
    ["A1 FETCH 1 (UID FLAGS)", "* 1 FETCH (UID 4 FLAGS (\\Seen))", "* 1 FETCH (FLAGS (\\Seen) UID 4)"],
    ["A2 FETCH 1 (BODY[HEADER.FIELDS (A B)] UID)", "* 1 FETCH (UID 4 BODY[HEADER.FIELDS (A B)] {3}\r\na)( ENVELOPE (\"a (\" NIL))",
      "* 1 FETCH (BODY[HEADER.FIELDS (A B)] {3}\r\na)( ENVELOPE (\"a (\" NIL) UID 4)"],
    ["A3 FETCH 1 (UID BODY[])", `* 1 FETCH (UID 4 BODY[] {5}\r\n${mark("hello")})`, `* 1 FETCH (BODY[] {5}\r\n${mark("hello")} UID 4)`],
    // Not a well-formed FETCH: left as it is.
    ["A4 FETCH 1 UID", "* 1 FETCH (UID 4 BODY[] {99}\r\nab)", "* 1 FETCH (UID 4 BODY[] {99}\r\nab)"],
  ],
  "capability-order": [
    ["A1 CAPABILITY", "* CAPABILITY IMAP4rev1 IDLE ID", "* CAPABILITY ID IDLE IMAP4REV1"],
    ["A2 LOGIN a b", "A2 OK [CAPABILITY MOVE IMAP4rev1] Logged in", "A2 OK [CAPABILITY IMAP4REV1 MOVE] Logged in"],
  ],
  "command-timing": [["A7 NOOP", "A7 OK NOOP completed (0.001 + 0.000 + 0.002 secs).", "A7 OK NOOP completed (<timing>)."]],
  "status-text": [
    ["A8 SELECT one", "A8 OK [READ-WRITE] SELECT command completed", "A8 OK [READ-WRITE] …"],
    ["A9 FOO", "A9 BAD Unknown command", "A9 BAD …"],
    ["A10 IDLE", "+ idling", "+ …"],
    ["A11 SELECT one", "* OK [UNSEEN 5] first unseen", "* OK [UNSEEN 5] …"],
    ["A12 LOGOUT", "* BYE Logging out", "* BYE …"],
    ["A14 FETCH 9", "A14 BAD Command timed out ⟨no CRLF⟩", "A14 BAD … ⟨no CRLF⟩"],
    ["A13 FETCH 1 FLAGS", '* 1 FETCH (FLAGS (\\Seen))', '* 1 FETCH (FLAGS (\\Seen))'],
  ],
};

describe("normalisation rules", () => {
  it("every rule has a name, a reason and test cases", () => {
    for (const r of RULES) {
      expect(r.why.length).toBeGreaterThan(20);
      expect(CASES[r.name], `cases for rule ${r.name}`).toBeDefined();
    }
  });

  for (const [name, cases] of Object.entries(CASES)) {
    it(`rule ${name}`, () => {
      const window = { from: Date.UTC(2023, 10, 14, 22), to: Date.UTC(2023, 10, 14, 23) };
      for (const [command, line, want] of cases) {
        expect(rule(name).apply(line, ctx(command, { serverTimeWindow: window, redactedTrace: true }))).toBe(want);
      }
    });
  }

  it("uidvalidity maps values consistently, per mailbox, in order of first appearance", () => {
    const state = newSideState();
    const n = (cmd: string, line: string) => rule("uidvalidity").apply(line, ctx(cmd, { state }));
    expect(n("a SELECT INBOX", "* OK [UIDVALIDITY 3]")).toBe("* OK [UIDVALIDITY <uidvalidity INBOX#1>]");
    expect(n("b SELECT one", "* OK [UIDVALIDITY 3]")).toBe("* OK [UIDVALIDITY <uidvalidity one#1>]");
    expect(n("c EXAMINE inbox", "* OK [UIDVALIDITY 3]")).toBe("* OK [UIDVALIDITY <uidvalidity INBOX#1>]");
    // A value that changes shows as a new number, so "changed" vs "stayed" is compared.
    expect(n("d SELECT INBOX", "* OK [UIDVALIDITY 4]")).toBe("* OK [UIDVALIDITY <uidvalidity INBOX#2>]");
  });

  it("server-set dates need a window; without one nothing is touched", () => {
    const line = '* 9 FETCH (INTERNALDATE "14-Nov-2023 22:13:20 +0000")';
    expect(rule("server-set-internaldate").apply(line, ctx("x"))).toBe(line);
  });

  it("parses IMAP date-times with zones", () => {
    expect(parseImapDateTime("14-Nov-2023 22:13:20 +0000")).toBe(1_700_000_000_000);
    expect(parseImapDateTime("14-Nov-2023 23:13:20 +0100")).toBe(1_700_000_000_000);
    expect(parseImapDateTime(" 1-Jan-2020 01:00:00 +0000")).toBe(Date.UTC(2020, 0, 1, 1));
    expect(parseImapDateTime("31-Foo-2024 99:00:00 +0000")).toBeUndefined();
  });

  it("redacted-literal only runs when the recording holds redacted literals", () => {
    const line = "* 1 FETCH (BODY[] {5}\r\nhello)";
    expect(rule("redacted-literal").apply(line, ctx("A1 FETCH 1 BODY[]"))).toBe(line);
    expect(normalise(line, ctx("A1 FETCH 1 BODY[]", { redactedTrace: true }), { strictText: true })).toContain(mark("hello"));
  });

  it("status-text runs unless strictText", () => {
    const line = "A1 OK done";
    expect(normalise(line, ctx("A1 NOOP"), { strictText: true })).toBe("A1 OK done");
    expect(normalise(line, ctx("A1 NOOP"), { strictText: false })).toBe("A1 OK …");
  });
});
