// A password file others may read (or write) is served, with a loud warning in the log that
// names the file, its mode and the fix; one readable by its owner only gets no warning.
import { chmodSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { pbkdf2Encode } from "../../src/daemon/hashers.js";
import { pwfileModeWarning } from "../../src/daemon/pwfile.js";
import { Client, makeCert, makeMaildir, startDaemon, tempDir, writePwfile } from "./harness.js";

async function serve(mode: number): Promise<{ logs: string; pwfile: string; login: string }> {
  const dir = tempDir();
  makeMaildir(dir, "mail");
  writePwfile(dir, [`alice:${await pbkdf2Encode("pw", "salt", 1000)}:mail`]);
  const pwfile = path.join(dir, "pwfile");
  chmodSync(pwfile, mode);
  const { cert, key } = makeCert();
  const d = await startDaemon(["--cert", cert, "--key", key, "--pwfile", pwfile, "--run-dir", path.join(dir, "run")]);
  try {
    const c = await Client.tls(d.port);
    const login = (await c.cmd("LOGIN alice pw")).at(-1)!;
    c.socket.destroy();
    return { logs: d.logs(), pwfile, login };
  } finally {
    await d.stop();
  }
}

const warnings = (logs: string) =>
  logs.split("\n").filter((l) => l.includes("chmod 600")).map((l) => JSON.parse(l) as Record<string, unknown>);

describe("the password file's mode", () => {
  it("world-readable: served, and one warning with the path, the mode and chmod 600", async () => {
    const { logs, pwfile, login } = await serve(0o644);
    expect(login).toMatch(/^t\d+ OK/);
    const w = warnings(logs);
    expect(w).toHaveLength(1);
    expect(w[0]).toMatchObject({ level: 40, pwfile, mode: "0644" });
    expect(w[0].msg).toBe(
      `password file ${pwfile} is open to others (mode 0644: its group may read it, every user may read it): the ` +
        `password hashes in it can be attacked offline and accounts added; make it readable by its owner only: chmod 600 ${pwfile}`,
    );
  });

  it("group-writable is warned too; owner-only is not", async () => {
    const open = await serve(0o620);
    expect(warnings(open.logs).map((w) => w.mode)).toEqual(["0620"]);
    expect(String(warnings(open.logs)[0].msg)).toContain("its group may write it");
    const closed = await serve(0o600);
    expect(closed.login).toMatch(/^t\d+ OK/);
    expect(warnings(closed.logs)).toEqual([]);
  });

  it("names who may do what", () => {
    expect(pwfileModeWarning("/p", 0o100600)).toBeUndefined();
    expect(pwfileModeWarning("/p", 0o100400)).toBeUndefined();
    expect(pwfileModeWarning("/p", 0o100666)).toContain("(mode 0666: its group may read and write it, every user may read and write it)");
    expect(pwfileModeWarning("/p", 0o100604)).toContain("(mode 0604: every user may read it)");
  });
});
