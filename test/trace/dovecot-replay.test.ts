// Replays against a real IMAP server (Dovecot): a session recorded through a proxy replays on
// a fresh Dovecot with no difference, and a changed recorded line is reported.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseTrace } from "../../src/trace/reader.js";
import { replay } from "../../src/trace/replay/replay.js";
import { formatReport } from "../../src/trace/replay/report.js";
import { DOVECOT, startDovecot, type Dovecot } from "./helpers/dovecot.js";
import { RawClient } from "./helpers/raw-client.js";
import { startRecorder } from "./helpers/recorder.js";

const run = promisify(execFile);
const dirs: string[] = [];
afterAll(() => Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true }))));
const MESSAGES = [1, 2, 3].map(
  (i) => `From: a${i}@example.com\r\nTo: t@example.com\r\nSubject: message ${i}\r\nDate: Mon, 1 Jan 2024 0${i}:00:00 +0000\r\nMessage-ID: <${i}@x>\r\n\r\nBody ${i}\r\n`,
);
const NEW = "From: b@example.com\r\nSubject: appended\r\n\r\nhi {3}\r\nthere\r\n";

let trace = "";
const servers: Dovecot[] = [];

async function fresh(): Promise<Dovecot> {
  const d = await startDovecot(MESSAGES);
  servers.push(d);
  return d;
}

/** Records a scripted two-connection session: literals, IDLE across connections, bad input. */
async function record(): Promise<string> {
  const origin = await fresh();
  const rec = await startRecorder(origin.port, origin.user);
  const a = await RawClient.connect(rec.port);
  const b = await RawClient.connect(rec.port);
  await a.login(origin.user, origin.password);
  await b.login(origin.user, origin.password);
  await a.command("A1 SELECT INBOX");
  await a.command("A2 FETCH 1:* (UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE)");
  await b.command("B1 SELECT INBOX");
  const from = a.responses.length;
  a.write("A3 IDLE\r\n");
  await a.until((r) => r.startsWith("+"), from);
  await b.command(`B2 APPEND INBOX {${NEW.length}}\r\n${NEW}`);
  await a.until((r) => /^\* 4 EXISTS/.test(r), from);
  await b.command("B3 STORE 2 +FLAGS (\\Flagged)");
  await a.until((r) => /^\* 2 FETCH/.test(r), from);
  a.write("DONE\r\n");
  await a.until((r) => r.startsWith("A3 "), from);
  await a.command("A4 FETCH 4 (INTERNALDATE BODY[])");
  await a.command(`A5 APPEND INBOX (\\Seen) "01-Feb-2024 10:00:00 +0000" {${NEW.length}+}\r\n${NEW}`);
  await a.command("A6 FOO bar");
  await a.command("A7 FETCH 1:* (UID FLAGS)");
  await b.command("B4 LOGOUT");
  await a.command("A8 LOGOUT");
  a.close();
  b.close();
  await new Promise((r) => setTimeout(r, 100)); // let the proxy see both closes
  await rec.close();
  return rec.text();
}

beforeAll(async () => {
  if (!existsSync(DOVECOT)) throw new Error(`${DOVECOT} is missing: install dovecot-imapd`);
  trace = await record();
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
});

describe("asimap-replay against Dovecot", () => {
  it("recorded the session as expected", () => {
    const t = parseTrace(trace);
    expect(t.connections).toHaveLength(2);
    const received = t.records.filter((r) => r.kind === "RECEIVED").map((r) => r.data!.split(" ")[0]);
    expect(received).toContain("DONE");
    expect(t.records.some((r) => r.kind === "SEND" && /\+ idling/i.test(r.data!))).toBe(true);
  });

  it("an identical replay on a fresh server differs nowhere", async () => {
    const d = await fresh();
    const result = await replay(parseTrace(trace), { host: "127.0.0.1", port: d.port, tls: false, insecure: false, user: d.user, password: d.password });
    const report = formatReport(result);
    expect(report).toMatch(/ 0 differ$/);
    expect(result.responses).toBeGreaterThan(10);
  });

  it("reports a changed recorded line, with the command that caused it", async () => {
    const changed = trace.replace("\\\\Flagged", "\\\\Answered");
    expect(changed).not.toBe(trace);
    const d = await fresh();
    const result = await replay(parseTrace(changed), { host: "127.0.0.1", port: d.port, tls: false, insecure: false, user: d.user, password: d.password });
    expect(result.differ).toBeGreaterThan(0);
    const report = formatReport(result);
    expect(report).toMatch(/- .*\\Answered/);
    expect(report).toMatch(/\+ .*\\Flagged/);
    expect(report).toMatch(new RegExp(`${result.responses} responses, ${result.differ} differ$`));
  });

  it("the asimap-replay command exits 1 on a difference and 0 without", async () => {
    const cli = path.resolve("dist/src/cli/asimap-replay.js");
    if (!existsSync(cli)) throw new Error("dist/src/cli/asimap-replay.js missing: run npm run build first");
    const dir = await mkdtemp(path.join(os.tmpdir(), "asimap-replay-"));
    dirs.push(dir);
    const file = path.join(dir, "trace.jsonl");
    const changed = trace.replace('\\"message 2\\"', '\\"message X\\"'); // JSON-escaped quotes
    expect(changed).not.toBe(trace);
    await writeFile(file, changed);
    const d = await fresh();
    const args = [cli, file, "--host", "127.0.0.1", "--port", String(d.port), "--user", d.user, "--password", d.password];
    const bad = await run("node", args).then(() => null, (e: { code: number; stdout: string }) => e);
    expect(bad?.code).toBe(1);
    expect(bad?.stdout).toMatch(/^client-00000001 command #2: A2 FETCH 1:\* /m);
    expect(bad?.stdout).toMatch(/^  - .*"message X"/m);
    expect(bad?.stdout).toMatch(/^  \+ .*"message 2"/m);
    expect(bad?.stdout).toMatch(/ 1 differ\n$/);
    const refused = await run("node", [...args.slice(0, -2), "--password", "wrong"]).then(() => null, (e: { code: number; stderr: string }) => e);
    expect(refused?.code).toBe(2);
    expect(refused?.stderr).toMatch(/LOGIN failed/);
    await writeFile(file, trace);
    const clean = await fresh();
    const ok = await run("node", [cli, file, "--host", "127.0.0.1", "--port", String(clean.port), "--user", clean.user, "--password", clean.password]);
    expect(ok.stdout).toMatch(/ 0 differ\n$/);
  });
});
