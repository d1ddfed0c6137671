// Every client command recorded from the old server (test/fixtures/asimap-traces/*/wire.jsonl) frames
// and parses, except the deliberately bad ones of the `errors` scenario, listed here with the
// BAD text we give.
import { describe, expect, test } from "vitest";
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { Framer } from "../../src/protocol/framer.js";
import { parseCommand, ParseError } from "../../src/protocol/parse.js";
import type { Command } from "../../src/protocol/ast.js";
import { OLD_TRACES } from "../fixtures/paths.js";

const TRACES = OLD_TRACES;

/** tag (or the whole line when untagged) -> the BAD reason we must give */
const EXPECTED_BAD: Record<string, RegExp> = {
  "E1.9": /^Unknown command FOO$/,
  "": /^Empty command line$/,
  "E1.13": /^Unknown command FOO$/,
  "E2.2": /^Unknown command XYZZY$/,
  "E3.4": /^Missing arguments for SELECT$/,
  "E5.3": /^Error in IMAP command FETCH: Sequence number must not be 0$/,
  "E8.5": /^Error in IMAP command FETCH: Expected "\)" or space but end of input found at column 22$/,
  "E9.3": /^Error in IMAP command FETCH: Unknown FETCH attribute NOTANATTR$/,
  "E10.5": /^Error in IMAP command FETCH: Expected sequence number but "x" found at column 15$/,
  "E11.3": /^Error in IMAP command SEARCH: Expected space but end of input found at column 18$/,
  "E12.3": /^Error in IMAP command SEARCH: Unknown SEARCH key FROBNICATE$/,
  "E13.3": /^Error in IMAP command SEARCH: Expected "\\"" or date \(dd-Mon-yyyy\) but "n" found at column 20$/,
  // the old server said NO; Dovecot says BAD (a client cannot set \Recent), and so do we
  "E14.8": /^Error in IMAP command STORE: Invalid system flag \\RECENT \(a client cannot set \\Recent\)$/,
  "E14.9": /^Error in IMAP command STORE: Expected "\(", "FLAGS", or \[\+\\-\] but "B" found at column 15$/,
  "E15.11": /^Error in IMAP command STATUS: Unknown STATUS item BOGUS$/,
  "E16.3": /^Missing arguments for LIST$/,
  "E17.5": /^Error in IMAP command APPEND: Invalid month Foo$/,
  "E18.2": /^Error in IMAP command APPEND: Expected "\\\\" or atom but "\{" found at column 27$/,
  "E19.13": /^Error in IMAP command NOOP: Unexpected arguments at column 12: " extra args here"$/,
  NOOP: /^Missing command name after the tag$/,
};

interface Outcome { tag: string; line: string; ok: boolean; command?: Command; error?: string; rawLines: string[] }

function replayConnection(bytes: Buffer): Outcome[] {
  const f = new Framer();
  f.push(bytes);
  const out: Outcome[] = [];
  let idle: Outcome | null = null;
  for (let e = f.next(); e !== null; e = f.next()) {
    if (e.kind === "continue") continue;
    if (e.kind === "error") throw new Error(`framer error ${JSON.stringify(e)}`);
    if (e.kind === "line") {
      idle!.rawLines.push(e.line.toString("latin1"));
      if (e.line.toString("latin1").toUpperCase() !== "DONE") f.expectRawLine();
      continue;
    }
    const line = e.frame.line.toString("latin1");
    try {
      const c = parseCommand(e.frame);
      const o: Outcome = { tag: c.tag, line, ok: true, command: c, rawLines: [] };
      out.push(o);
      if (c.name === "IDLE") { idle = o; f.expectRawLine(); }
    } catch (err) {
      if (!(err instanceof ParseError)) throw err;
      out.push({ tag: err.tag ?? line, line, ok: false, error: err.message, rawLines: [] });
    }
  }
  expect(f.buffered).toBe(0);
  return out;
}

function clientBytes(file: string): Map<string, Buffer> {
  const byConn = new Map<string, Buffer[]>();
  for (const l of readFileSync(file, "utf8").split("\n")) {
    if (!l.trim()) continue;
    const r = JSON.parse(l) as { conn: string; dir: string; data: string };
    if (r.dir !== "C") continue;
    if (!byConn.has(r.conn)) byConn.set(r.conn, []);
    byConn.get(r.conn)!.push(Buffer.from(r.data, "latin1"));
  }
  return new Map([...byConn].map(([k, v]) => [k, Buffer.concat(v)]));
}

const scenarios = existsSync(TRACES) ? readdirSync(TRACES).filter((d) => existsSync(join(TRACES, d, "wire.jsonl"))) : [];

describe("recorded client traces", () => {
  test("the traces are there", () => {
    expect(scenarios).toEqual(expect.arrayContaining(["errors", "fixtures", "idle"]));
  });

  for (const sc of scenarios) {
    test(`${sc}: every client command parses (bad ones fail as listed)`, () => {
      const all: Outcome[] = [];
      for (const [, bytes] of clientBytes(join(TRACES, sc, "wire.jsonl"))) all.push(...replayConnection(bytes));
      expect(all.length).toBeGreaterThan(10);
      for (const o of all) {
        const expected = sc === "errors" ? EXPECTED_BAD[o.tag] : undefined;
        if (expected) {
          expect(o.ok, `${o.line} should be BAD`).toBe(false);
          expect(o.error).toMatch(expected);
        } else {
          expect(o.error, o.line).toBeUndefined();
        }
      }
      if (sc === "errors") {
        const bad = all.filter((o) => !o.ok).map((o) => o.tag);
        expect(bad.sort()).toEqual(Object.keys(EXPECTED_BAD).sort());
        const idle = all.find((o) => o.tag === "E20.3");
        expect(idle?.rawLines).toEqual(["FOO", "DONE"]);
        const lit = all.find((o) => o.tag === "E14.3")?.command;
        expect(lit).toMatchObject({ name: "SEARCH", charset: "UTF-8", keys: [{ kind: "SUBJECT", value: Buffer.from("café") }] });
        const login = all.find((o) => o.tag === "E1.10")?.command;
        expect(login).toEqual({ tag: "E1.10", name: "LOGIN", userid: "tester", password: "secret" });
        const odd = all.find((o) => o.tag === "E17.2")?.command;
        expect(odd).toMatchObject({ name: "LIST", reference: "", patterns: ['"odd\\name'] });
      }
      if (sc === "idle") {
        expect(all.find((o) => o.tag === "A3")?.rawLines).toEqual(["DONE"]);
        const app = all.find((o) => o.tag === "CAAA3")?.command;
        expect(app).toMatchObject({ name: "APPEND", mailbox: "INBOX", messages: [{ flags: [], date: new Date("2024-03-11T09:00:00Z") }] });
        if (app?.name === "APPEND") expect(app.messages[0].data.length).toBe(301);
      }
    });
  }
});
