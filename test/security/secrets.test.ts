// Secrets stay secret: with --debug and --trace, no password, AUTHENTICATE string or message body
// reaches the logs or the traces (traces keep a message literal's length and sha256 only, unless
// asimapd runs with --trace-bodies for recording on test mail; they are mode 0600). A failed login
// says the same thing, in about the same time, whether or not the user exists. The password file
// is never world-readable.
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pbkdf2Encode, PBKDF2_DEFAULT_ITERATIONS } from "../../src/daemon/hashers.js";
import { Client, freshLoopback, makeCert, makeMaildir, runCli, startDaemon, tempDir, writePwfile, type Daemon } from "../daemon/harness.js";

const PASSWORD = "Pw-S3cret-4711";
const BODY = "BODY-MARKER-0xC0FFEE";

describe("no secrets in logs or traces", () => {
  let d: Daemon;
  let dir: string;
  let b64: string;
  beforeAll(async () => {
    dir = tempDir();
    makeMaildir(dir, "m");
    writePwfile(dir, [`sec:${await pbkdf2Encode(PASSWORD, "salt", 1000)}:m`]);
    const { cert, key } = makeCert();
    d = await startDaemon(["--cert", cert, "--key", key, "--pwfile", `${dir}/pwfile`, "--debug", "--trace", "--trace-dir", `${dir}/traces`]);
    b64 = Buffer.from(`\0sec\0${PASSWORD}`).toString("base64");
  });
  afterAll(async () => {
    await d?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("LOGIN, AUTHENTICATE PLAIN (inline and continued), failed logins, APPEND and FETCH of a body", async () => {
    const c1 = await Client.tls(d.port, "127.0.0.1", freshLoopback());
    expect((await c1.cmd(`LOGIN sec ${PASSWORD}x`)).at(-1)).toMatch(/ NO /); // a wrong one, close to the real one
    expect((await c1.cmd(`LOGIN nosuchuser ${PASSWORD}`)).at(-1)).toMatch(/ NO /);
    expect((await c1.cmd(`LOGIN "sec" "${PASSWORD}"`)).at(-1)).toMatch(/ OK /);
    const msg = `Subject: s\r\n\r\n${BODY}\r\n`;
    expect((await c1.cmd(`APPEND INBOX {${msg.length}+}\r\n${msg}`)).at(-1)).toMatch(/ OK /);
    await c1.cmd("SELECT INBOX");
    expect((await c1.cmd("FETCH * BODY[]")).join("\n")).toContain(BODY);
    const every = (await c1.cmd("FETCH * (BODY[TEXT] BINARY[1] RFC822 BODY.PEEK[]<0.4096>)")).join("\n");
    expect(every.split(BODY).length - 1, "the body came back four times").toBe(4);
    await c1.cmd(`LOGIN sec ${PASSWORD}`); // after login: refused, and traced redacted
    await c1.cmd(`AUTHENTICATE PLAIN ${b64}`);
    // refused at once after login; a client sending its SASL response anyway sends it as a line
    expect((await c1.cmd("AUTHENTICATE PLAIN", "a9")).at(-1)).toMatch(/^a9 NO /);
    c1.write(`${b64}\r\n`);
    await c1.waitFor((l) => / BAD /.test(l));
    c1.close();
    const c2 = await Client.tls(d.port, "127.0.0.1", freshLoopback());
    expect((await c2.cmd(`AUTHENTICATE PLAIN ${b64}`)).at(-1)).toMatch(/ OK /);
    c2.close();
    const c3 = await Client.tls(d.port, "127.0.0.1", freshLoopback());
    c3.write("a1 AUTHENTICATE PLAIN\r\n");
    await c3.waitFor((l) => l.startsWith("+"));
    c3.write(`${b64}\r\n`);
    await c3.waitFor((l) => l.startsWith("a1 "));
    c3.close();
    await new Promise((r) => setTimeout(r, 500));
    await d.stop();

    const logs = d.logs() + d.stderr();
    expect(logs, "the logs saw the logins").toContain("login failed");
    for (const secret of [PASSWORD, b64, BODY, Buffer.from(PASSWORD).toString("base64").slice(0, 12)]) {
      expect(logs.includes(secret), `logs contain ${secret}`).toBe(false);
    }
    const traces = readdirSync(join(dir, "traces"));
    expect(traces.length).toBeGreaterThan(0);
    const text = traces.map((f) => readFileSync(join(dir, "traces", f), "utf8")).join("\n");
    expect(text, "the trace recorded the session").toContain("FETCH * BODY[]");
    expect(text.includes(PASSWORD), "password in a trace").toBe(false);
    expect(text.includes(b64), "AUTHENTICATE string in a trace").toBe(false);
    expect(text.includes(BODY), "message body in a trace").toBe(false);
    expect(text.match(/asimap-redacted \d+ bytes sha256:/g)?.length, "redacted literals").toBeGreaterThanOrEqual(6);
    for (const f of traces) expect(statSync(join(dir, "traces", f)).mode & 0o077, `${f} mode`).toBe(0);
  });
});

describe("asimapd --trace-bodies", () => {
  it("records message contents in full (for protocol tests on test mail), still no password", async () => {
    const dir = tempDir();
    makeMaildir(dir, "m");
    writePwfile(dir, [`sec:${await pbkdf2Encode(PASSWORD, "salt", 1000)}:m`]);
    const { cert, key } = makeCert();
    const d = await startDaemon(["--cert", cert, "--key", key, "--pwfile", `${dir}/pwfile`, "--trace", "--trace-bodies",
      "--trace-dir", `${dir}/traces`]);
    try {
      const c = await Client.tls(d.port, "127.0.0.1", freshLoopback());
      expect((await c.cmd(`LOGIN sec ${PASSWORD}`)).at(-1)).toMatch(/ OK /);
      const msg = `Subject: s\r\n\r\n${BODY}\r\n`;
      expect((await c.cmd(`APPEND INBOX {${msg.length}+}\r\n${msg}`)).at(-1)).toMatch(/ OK /);
      await c.cmd("SELECT INBOX");
      await c.cmd("FETCH * BODY[TEXT]");
      c.close();
      await new Promise((r) => setTimeout(r, 500));
    } finally {
      await d.stop();
    }
    const text = readdirSync(join(dir, "traces")).map((f) => readFileSync(join(dir, "traces", f), "utf8")).join("\n");
    expect(text.split(BODY).length - 1, "APPEND and FETCH bodies in the trace").toBe(2);
    expect(text.includes(PASSWORD)).toBe(false);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe("login failures do not tell whether a user exists", () => {
  let d: Daemon;
  let dir: string;
  beforeAll(async () => {
    dir = tempDir();
    makeMaildir(dir, "m");
    // real-strength hashes: the time of a wrong password is the time of the hash
    const h = await pbkdf2Encode("right", "saltsaltsalt", PBKDF2_DEFAULT_ITERATIONS);
    writePwfile(dir, ["u1", "u2", "u3", "u4"].map((u) => `${u}:${h}:m`));
    const { cert, key } = makeCert();
    d = await startDaemon(["--cert", cert, "--key", key, "--pwfile", `${dir}/pwfile`]);
  });
  afterAll(async () => {
    await d?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function attempt(user: string, how: "LOGIN" | "PLAIN"): Promise<{ answer: string; ms: number }> {
    const c = await Client.tls(d.port, "127.0.0.1", freshLoopback());
    const t = process.hrtime.bigint();
    const r = how === "LOGIN" ? await c.cmd(`LOGIN ${user} wrong`) : await c.cmd(`AUTHENTICATE PLAIN ${Buffer.from(`\0${user}\0wrong`).toString("base64")}`);
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    c.close();
    return { answer: r.at(-1)!.replace(/^\S+ /, ""), ms };
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

  it("same answer and comparable time for an unknown user and a wrong password", async () => {
    const known: { answer: string; ms: number }[] = [];
    const unknown: { answer: string; ms: number }[] = [];
    for (const [i, u] of ["u1", "u2", "u3", "u4"].entries()) {
      known.push(await attempt(u, i % 2 ? "PLAIN" : "LOGIN"));
      unknown.push(await attempt(`ghost${i}`, i % 2 ? "PLAIN" : "LOGIN"));
    }
    const answers = new Set([...known, ...unknown].map((a) => a.answer));
    expect(answers.size, `answers: ${[...answers].join(" | ")}`).toBe(1);
    expect([...answers][0]).toMatch(/^NO /);
    // loosely: an unknown user costs a hash too (without it, it would take ~1% of the time)
    const k = median(known.map((a) => a.ms));
    const u = median(unknown.map((a) => a.ms));
    expect(u / k, `median unknown ${u.toFixed(0)} ms vs wrong password ${k.toFixed(0)} ms`).toBeGreaterThan(0.33);
    expect(u / k).toBeLessThan(3);
  });
});

describe("the password file is never world-readable", () => {
  it("asimapd_set_password creates it 0600 and keeps it so when it rewrites a file that was 0644", async () => {
    const dir = tempDir();
    const pw = join(dir, "pwfile");
    const r = await runCli("set-password.js", ["--pwfile", pw, "alice", "pw1", dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(statSync(pw).mode & 0o077).toBe(0);
    expect(readFileSync(pw, "utf8")).not.toContain("pw1");
    writeFileSync(pw, readFileSync(pw));
    chmodSync(pw, 0o644); // someone loosened it
    const r2 = await runCli("set-password.js", ["--pwfile", pw, "bob", "pw2", dir]);
    expect(r2.code, r2.stderr).toBe(0);
    expect(statSync(pw).mode & 0o077, "mode after a rewrite").toBe(0);
    rmSync(dir, { recursive: true, force: true });
  });
});
