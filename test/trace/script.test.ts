import { describe, expect, it } from "vitest";
import { readTrace } from "../../src/trace/reader.js";
import { canonical, canonicalOrder, lineDiff, sameResponses } from "../../src/trace/replay/compare.js";
import { buildScript } from "../../src/trace/replay/script.js";
import { OLD_TRACES } from "../fixtures/paths.js";

const OLD = OLD_TRACES;

describe("replay script from the old server's idle trace", () => {
  it("attributes responses to the commands that caused them, IDLE included", async () => {
    const s = buildScript(await readTrace(`${OLD}/idle/asimap-trace.jsonl`));
    const a = s.connections.get("client-00000001")!;
    expect(a.commands.map((c) => c.tag)).toEqual(["A2", "A3", "A4", "A5", "A6"]);
    const idle = a.commands[1];
    expect(idle.idle).toBe(true);
    expect(idle.inputs).toEqual(["DONE"]);
    expect(idle.responses[0]).toBe("+ idling");
    expect(idle.responses).toContain("* 3 EXPUNGE");
    expect(idle.responses[idle.responses.length - 1]).toBe("A3 OK IDLE terminated");
    // Responses B received between its commands go to its next command (LOGOUT).
    const b = s.connections.get("client-00000002")!;
    expect(b.commands[6].text).toBe("CAAA7 LOGOUT");
    expect(b.commands[6].responses.slice(0, 2)).toEqual(["* 9 EXISTS", "* 9 RECENT"]);
  });

  it("orders the client's steps as recorded: IDLE's continuation awaited, unsolicited responses settled, then DONE", async () => {
    const s = buildScript(await readTrace(`${OLD}/idle/asimap-trace.jsonl`));
    const kinds = s.steps.map((st) => `${st.kind} ${st.conn.slice(-1)}${"command" in st ? ` ${st.command}` : ""}`);
    const idleSent = kinds.indexOf("send 1 1");
    expect(kinds[idleSent + 1]).toBe("await-continuation 1 1");
    const done = s.steps.findIndex((st) => st.kind === "input");
    expect(s.steps[done - 1]).toMatchObject({ kind: "await-count", conn: "client-00000001", command: 1 });
    expect(kinds[done + 1]).toBe("await-completion 1 1");
    expect(kinds.filter((k) => k.startsWith("open"))).toEqual(["open 1", "open 2"]);
  });

  it("handles a partial response and commands that never completed (errors trace)", async () => {
    const s = buildScript(await readTrace(`${OLD}/errors/asimap-trace.jsonl`));
    const e4 = s.connections.get("client-00000004")!;
    expect(e4.commands[2].responses).toEqual(["E4.4 BAD Command timed out: 'E4.4 FETCH' ⟨no CRLF⟩"]);
    expect(e4.commands[2].completed).toBe(true);
    expect(e4.commands[3].responses).toEqual(["E4.5 OK NOOP command completed"]);
    const e5 = s.connections.get("client-00000005")!;
    // Never completed; the APPEND on e17 later pushed these to it.
    expect(e5.commands[1]).toMatchObject({ text: "E5.3 FETCH 0 FLAGS", completed: false, responses: ["* 9 EXISTS", "* 4 RECENT"] });
    expect(s.steps.filter((st) => st.kind === "close")).toHaveLength(20);
  });

  it("replays only one connection when asked", async () => {
    const s = buildScript(await readTrace(`${OLD}/idle/asimap-trace.jsonl`), "client-00000002");
    expect([...s.connections.keys()]).toEqual(["client-00000002"]);
  });
});

describe("comparing one command's responses", () => {
  const done = "A1 OK done";
  it("lets unsolicited responses of different kinds come in any order", () => {
    expect(sameResponses(["* 3 RECENT", "* 2 FETCH (FLAGS ())", done], ["* 2 FETCH (FLAGS ())", "* 3 RECENT", done])).toBe(true);
  });
  it("keeps FETCHes of one message in order", () => {
    const a = ["* 2 FETCH (FLAGS (\\Seen))", "* 2 FETCH (FLAGS ())", done];
    expect(sameResponses(a, [a[1], a[0], done])).toBe(false);
  });
  it("lets nothing cross EXISTS or EXPUNGE", () => {
    expect(sameResponses(["* 3 EXPUNGE", "* 2 FETCH (FLAGS ())", done], ["* 2 FETCH (FLAGS ())", "* 3 EXPUNGE", done])).toBe(false);
    expect(sameResponses(["* 4 EXISTS", "* 1 RECENT", done], ["* 1 RECENT", "* 4 EXISTS", done])).toBe(false);
  });
  it("compares the tagged completion last and exactly", () => {
    expect(sameResponses(["* 1 RECENT", done], [done, "* 1 RECENT"])).toBe(false);
    expect(sameResponses([done], ["A1 NO done"])).toBe(false);
    expect(canonical([])).toBe("");
  });
  it("orders lines as compared, for display", () => {
    expect(canonicalOrder(["* 3 RECENT", "* 1 FETCH (X)", "* 4 EXISTS", "* 2 FETCH (Y)", done])).toEqual([
      "* 1 FETCH (X)", "* 3 RECENT", "* 4 EXISTS", "* 2 FETCH (Y)", done,
    ]);
  });
  it("shows a line diff", () => {
    expect(lineDiff(["a", "b", "c"], ["a", "x", "c"])).toEqual([
      { op: " ", text: "a" },
      { op: "-", text: "b" },
      { op: "+", text: "x" },
      { op: " ", text: "c" },
    ]);
  });
});
