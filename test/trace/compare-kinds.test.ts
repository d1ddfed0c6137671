// The comparison of one command's responses and the report's count of differences by kind:
// pure functions, on responses as a replay normalises them.
import { describe, expect, it } from "vitest";
import { sameResponses } from "../../src/trace/replay/compare.js";
import { countKinds, differenceKinds } from "../../src/trace/replay/kinds.js";
import { newSideState, normalise } from "../../src/trace/replay/normalise.js";
import { formatReport } from "../../src/trace/replay/report.js";
import type { CommandResult } from "../../src/trace/replay/replay.js";

const norm = (command: string, lines: string[], strictText = false) =>
  lines.map((l) => normalise(l, { side: "got", command, state: newSideState() }, { strictText }));
const same = (command: string, a: string[], b: string[], strictText = false) =>
  sameResponses(norm(command, a, strictText), norm(command, b, strictText));

describe("comparing responses", () => {
  it("two completions that differ only in their text are the same by default, not with strictText", () => {
    const a = ["A1 OK [READ-WRITE] SELECT completed"];
    const b = ["A1 OK [READ-WRITE] Select completed (0.001 + 0.000 secs)."];
    expect(same("A1 SELECT x", a, b)).toBe(true);
    expect(same("A1 SELECT x", a, b, true)).toBe(false);
    // The response code and the status are compared.
    expect(same("A1 SELECT x", a, ["A1 OK [READ-ONLY] SELECT completed"])).toBe(false);
    expect(same("A1 SELECT x", a, ["A1 NO [READ-WRITE] SELECT completed"])).toBe(false);
  });

  it("LIST and LSUB lines of one command in any order; their content still counts", () => {
    const a = ['* LIST () "/" INBOX', '* LIST () "/" one', '* LIST () "/" problems', "A2 OK done"];
    const b = ['* LIST () "/" problems', '* LIST () "/" INBOX', '* LIST () "/" one', "A2 OK LIST completed"];
    expect(same('A2 LIST "" *', a, b)).toBe(true);
    expect(same('A2 LSUB "" *', a.map((l) => l.replace("LIST", "LSUB")), b.map((l) => l.replace("LIST", "LSUB")))).toBe(true);
    expect(same('A2 LIST "" *', a, ['* LIST () "/" INBOX', '* LIST () "/" one', "A2 OK done"])).toBe(false);
    // Other untagged responses keep their recorded order within a kind.
    expect(same("A3 SEARCH", ["* SEARCH 1", "* SEARCH 2", "A3 OK"], ["* SEARCH 2", "* SEARCH 1", "A3 OK"])).toBe(false);
  });

  it("FETCH items, flags and capability atoms in any order", () => {
    expect(same("A4 FETCH 1 (FLAGS UID)", ["* 1 FETCH (FLAGS (\\Seen \\Flagged) UID 7)", "A4 OK"], ["* 1 FETCH (UID 7 FLAGS (\\Flagged \\Seen))", "A4 OK"])).toBe(true);
    expect(same("A4 FETCH 1 (FLAGS UID)", ["* 1 FETCH (FLAGS (\\Seen) UID 7)", "A4 OK"], ["* 1 FETCH (UID 8 FLAGS (\\Seen))", "A4 OK"])).toBe(false);
    expect(same("A5 CAPABILITY", ["* CAPABILITY IMAP4REV1 IDLE", "A5 OK"], ["* CAPABILITY IDLE IMAP4rev1", "A5 OK"])).toBe(true);
    expect(same("A5 CAPABILITY", ["* CAPABILITY IMAP4REV1 IDLE", "A5 OK"], ["* CAPABILITY IMAP4rev1", "A5 OK"])).toBe(false);
  });
});

describe("differences by kind", () => {
  const kinds = (command: string, a: string[], b: string[], note?: string) => differenceKinds(norm(command, a), norm(command, b), note);

  it("names what differs", () => {
    expect(kinds("E1 SELECT nope", ["E1 NO no such mailbox"], ["E1 NO [NONEXISTENT] Mailbox doesn't exist"])).toEqual(["completion NO no code → [NONEXISTENT]"]);
    expect(kinds("E2 FETCH 1 FLAGS", ["E2 NO x"], ["E2 BAD y"])).toEqual(["completion NO → BAD"]);
    expect(kinds("A1 FETCH 1 (FLAGS UID RFC822.SIZE)", ["* 1 FETCH (FLAGS (\\Recent \\Seen) UID 1 RFC822.SIZE 9)", "A1 OK"],
      ["* 1 FETCH (UID 1 RFC822.SIZE 9 FLAGS (\\Seen))", "A1 OK"])).toEqual(["FETCH FLAGS"]);
    expect(kinds("A1 FETCH 1 BODY[1]", ["* 1 FETCH (BODY[1] NIL)", "A1 OK"], ["* 1 FETCH (BODY[1] \"\" UID 1)", "A1 OK"])).toEqual(["FETCH BODY[…]", "FETCH UID extra"]);
    expect(kinds("A2 SELECT x", ["* 3 RECENT", "* 3 EXISTS", "A2 OK"], ["* 0 RECENT", "* 3 EXISTS", "A2 OK"])).toEqual(["RECENT differs"]);
    expect(kinds("A3 NOOP", ["* 1 FETCH (FLAGS ())", "* 1 FETCH (FLAGS ())", "A3 OK"], ["* 1 FETCH (FLAGS ())", "A3 OK"])).toEqual(["FETCH responses per message 2 → 1"]);
    expect(kinds("A4 NOOP", ["A4 OK"], [], "no tagged completion within 3000 ms")).toEqual(["no tagged completion within N ms", "TAGGED missing"]);
    // Same responses on either side of a barrier in another order.
    expect(kinds("A5 NOOP", ["* 2 EXPUNGE", "* 1 FETCH (FLAGS ())", "A5 OK"], ["* 1 FETCH (FLAGS ())", "* 2 EXPUNGE", "A5 OK"])).toEqual(["order of responses"]);
  });

  it("the report counts each kind over the commands, most frequent first, and keeps the totals last", () => {
    expect(countKinds([["a", "b"], ["b"], ["c", "b"], ["a"]])).toEqual([["b", 3], ["a", 2], ["c", 1]]);
    const r = (kinds: string[]): CommandResult => ({
      connection: "client-00000001", index: 0, command: "A1 NOOP", expected: ["A1 NO"], got: ["A1 BAD"], same: false, diff: [], kinds,
    });
    const report = formatReport({
      results: [r(["completion NO → BAD"]), r(["completion NO → BAD", "RECENT differs"])],
      responses: 5, differ: 2, byKind: countKinds([["completion NO → BAD"], ["completion NO → BAD", "RECENT differs"]]),
    });
    expect(report).toContain("Differences by kind");
    expect(report).toMatch(/\n {5}2 {2}completion NO → BAD\n {5}1 {2}RECENT differs\n/);
    expect(report).toMatch(/\n5 responses, 2 differ$/);
  });
});
