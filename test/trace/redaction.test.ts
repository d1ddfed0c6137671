// End to end: a real asimapd with --trace records message contents as markers (length +
// sha256), asimap-replay replays such a trace on a fresh server and matches the live literals by
// length and digest (and notices a digest that does not match), and refuses a redacted APPEND
// with exit 2, naming the trace line.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../daemon/harness.js";
// @ts-expect-error plain JS shared with traces/record.mjs
import { runScript } from "../../traces/lib/driver.mjs";
// @ts-expect-error plain JS shared with traces/record.mjs
import { ROOT, startAsimapd } from "../../traces/lib/server.mjs";

const MAIL = path.join(ROOT as string, "traces/mail-fixtures");
// Lines of the fixture mail's bodies (inbox/1 and inbox/2) that a FETCH below returns.
const FIXTURE_BODY = "Are we still on for lunch on Friday?";
const APPENDED = "APPENDED-BODY-7f3e91";

interface Server { port: number; user: string; password: string; traceFile: string; dir: string; stop(): Promise<void>; cleanup(): void }

async function replayCli(trace: string, extra: string[] = []): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const server: Server = await startAsimapd({ mailBefore: MAIL });
  try {
    return await runCli("asimap-replay.js", [trace, "--host", "127.0.0.1", "--port", String(server.port), "--tls", "--insecure",
      "--user", server.user, ...extra], { ASIMAP_REPLAY_PASSWORD: server.password });
  } finally {
    await server.stop();
    server.cleanup();
  }
}

describe("a trace recorded without --trace-bodies", () => {
  let recorded: Server;
  let text: string;
  let traceFile: string;
  beforeAll(async () => {
    recorded = await startAsimapd({ mailBefore: MAIL });
    const msg = `Subject: appended\r\n\r\n${APPENDED}\r\n`;
    try {
      await runScript([
        ["a", "A1 SELECT INBOX"],
        ["a", "A2 FETCH 1 (BODY[] BODY[TEXT] BINARY[1] RFC822 RFC822.HEADER RFC822.TEXT BODY[]<0.40> ENVELOPE)"],
        ["a", "A3 UID FETCH 2 (BODY.PEEK[1] BINARY.PEEK[1]<5.20> FLAGS)"],
        ["a", "A4 LOGOUT"],
        ["b", "B1 SELECT INBOX"],
        ["b", `B2 APPEND INBOX {${msg.length}}\r\n${msg}`],
        ["b", "B3 FETCH * BODY[]"],
        ["b", "B4 LOGOUT"],
      ], recorded);
    } finally {
      await recorded.stop();
    }
    text = readFileSync(recorded.traceFile, "utf8");
    traceFile = path.join(recorded.dir, "copy.trace");
    writeFileSync(traceFile, text);
  });
  afterAll(() => recorded?.cleanup());

  it("holds no message content, only markers of it", () => {
    expect(text, "the session was recorded").toContain("A2 FETCH 1 (BODY[]");
    expect(text.includes(FIXTURE_BODY), "fetched body in the trace").toBe(false);
    expect(text.includes(APPENDED), "appended body in the trace").toBe(false);
    expect(text.match(/\u27e6asimap-redacted \d+ bytes sha256:[0-9a-f]{64}\u27e7/g)?.length).toBeGreaterThanOrEqual(10);
  });

  it("replays connection by connection: exit 0 where no APPEND, exit 2 naming the line where there is one", async () => {
    const ok = await replayCli(traceFile, ["--connection", "client-00000001"]);
    expect(ok.stdout + ok.stderr).toMatch(/ 0 differ$/m);
    expect(ok.code).toBe(0);
    const lines = text.split("\n");
    const appendLine = lines.findIndex((l) => l.includes("B2 APPEND INBOX")) + 1;
    const refused = await replayCli(traceFile);
    expect(refused.code, refused.stdout + refused.stderr).toBe(2);
    expect(refused.stderr).toContain(`trace line ${appendLine} `);
    expect(refused.stderr).toContain("--trace-bodies");
  });

  it("a live literal whose digest differs from the recorded one is a difference", async () => {
    // alter one recorded digest of message 1's BODY[TEXT]
    const tampered = text.replace(/(sha256:)([0-9a-f])/, (_m, p: string, c: string) => p + (c === "0" ? "1" : "0"));
    expect(tampered).not.toBe(text);
    const file = path.join(recorded.dir, "tampered.trace");
    writeFileSync(file, tampered);
    const r = await replayCli(file, ["--connection", "client-00000001"]);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/A2 FETCH 1/);
  });
});

describe("a trace recorded with --trace-bodies", () => {
  it("holds the message contents and replays with its APPEND", async () => {
    const server: Server = await startAsimapd({ mailBefore: MAIL, extraArgs: ["--trace-bodies"] });
    const msg = `Subject: appended\r\n\r\n${APPENDED}\r\n`;
    try {
      await runScript([
        ["a", "A1 SELECT INBOX"],
        ["a", "A2 FETCH 1 BODY[]"],
        ["a", `A3 APPEND INBOX {${msg.length}}\r\n${msg}`],
        ["a", "A4 LOGOUT"],
      ], server);
    } finally {
      await server.stop();
    }
    const text = readFileSync(server.traceFile, "utf8");
    expect(text).toContain(FIXTURE_BODY);
    expect(text).toContain(APPENDED);
    expect(text).not.toContain("asimap-redacted");
    const r = await replayCli(server.traceFile);
    server.cleanup();
    expect(r.code, r.stdout + r.stderr).toBe(0);
  });
});
