// Issue 11: valid commands before login are bounded too, not only bad ones. A client that
// sends NOOP or CAPABILITY forever (each answered OK) is cut off with * BYE long before the
// pre-auth timeout, while a real client's handful of commands before LOGIN still works.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pbkdf2Encode } from "../../src/daemon/hashers.js";
import { MAX_PREAUTH_COMMANDS } from "../../src/daemon/preauth.js";
import { Client, freshLoopback, makeCert, makeMaildir, startDaemon, tempDir, writePwfile, type Daemon } from "./harness.js";

let d: Daemon;

beforeAll(async () => {
  const dir = tempDir();
  makeMaildir(dir, "mail");
  writePwfile(dir, [`alice:${await pbkdf2Encode("pw", "salt", 1000)}:mail`]);
  const { cert, key } = makeCert();
  d = await startDaemon(["--cert", cert, "--key", key, "--pwfile", `${dir}/pwfile`, "--run-dir", `${dir}/run`]);
});
afterAll(async () => {
  await d?.stop();
});

describe("commands before login", () => {
  it("a client sending only valid commands gets * BYE after the limit, within the pre-auth time", async () => {
    const c = await Client.tls(d.port, "127.0.0.1", freshLoopback());
    // All pipelined at once: twice the limit, mixing the commands that are always answered OK.
    const kinds = ["NOOP", "CAPABILITY", 'ID ("name" "spinner")'];
    let batch = "";
    for (let i = 0; i < 2 * MAX_PREAUTH_COMMANDS; i++) batch += `n${i} ${kinds[i % kinds.length]}\r\n`;
    c.write(batch);
    expect(await c.closedOrTimeout()).toBe(true);
    expect(c.lines.at(-1)).toMatch(/^\* BYE Too many commands without logging in/);
    // Exactly the allowed number were answered; none after the limit.
    const answered = c.lines.filter((l) => /^n\d+ OK/.test(l));
    expect(answered.length).toBe(MAX_PREAUTH_COMMANDS);
    expect(answered.at(-1)).toMatch(new RegExp(`^n${MAX_PREAUTH_COMMANDS - 1} OK`));
  });

  it("failed logins count as commands", async () => {
    const c = await Client.tls(d.port, "127.0.0.1", freshLoopback());
    for (let i = 0; i < MAX_PREAUTH_COMMANDS && !c.closed; i++) {
      const r = await c.cmd(i % 2 ? "LOGIN nobody wrong" : "NOOP");
      expect(r.at(-1)).toMatch(/^t\d+ (OK|NO)/);
    }
    c.write("last NOOP\r\n");
    expect(await c.waitFor((l) => l.startsWith("* BYE"))).toMatch(/Too many commands/);
  });

  it("a client that logs in after as many commands as real clients send is served", async () => {
    const c = await Client.tls(d.port, "127.0.0.1", freshLoopback());
    // Thunderbird-like: CAPABILITY, ID, a wrong password, NOOP, then the right one.
    await c.cmd("CAPABILITY");
    await c.cmd('ID ("name" "Thunderbird")');
    expect((await c.cmd("LOGIN alice wrong")).at(-1)).toMatch(/NO \[AUTHENTICATIONFAILED\]/);
    await c.cmd("NOOP");
    expect((await c.cmd("LOGIN alice pw")).at(-1)).toMatch(/^t\d+ OK/);
    // After login the limit no longer applies: the user process serves many NOOPs.
    for (let i = 0; i < MAX_PREAUTH_COMMANDS + 5; i++) c.write(`p${i} NOOP\r\n`);
    await c.waitFor((l) => l.startsWith(`p${MAX_PREAUTH_COMMANDS + 4} OK`));
    expect(c.lines.some((l) => l.startsWith("* BYE"))).toBe(false);
    await c.cmd("LOGOUT");
  });
});
