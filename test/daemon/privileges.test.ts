// Run as root (CI is root): real system users are created for the test; each user process must
// run as the owner of its mail, without root's groups, and so cannot read another user's mail.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { statSync } from "node:fs";
import { pbkdf2Encode } from "../../src/daemon/hashers.js";
import { chownTree } from "../../src/cli/chown-tree.js";
import {
  Client, addSystemUser, freshLoopback, isRoot, loginTls, until, makeCert, makeMaildir, procUid, startDaemon, tempDir, systemIds,
  userProcesses, writePwfile, type Daemon,
} from "./harness.js";

const suffix = randomBytes(3).toString("hex");
const U1 = `asimt1${suffix}`;
const U2 = `asimt2${suffix}`;

describe.runIf(isRoot)("as root, with real system users", () => {
  let d: Daemon;
  let dir: string;
  let mail2: string;

  beforeAll(async () => {
    for (const u of [U1, U2]) addSystemUser(u);
    dir = tempDir();
    makeMaildir(dir, "m1", systemIds(U1), 0o700);
    mail2 = makeMaildir(dir, "m2", systemIds(U2), 0o700);
    makeMaildir(dir, "rootmail", { uid: 0, gid: 0 }, 0o700);
    const h = await pbkdf2Encode("pw", "salt", 1000);
    writePwfile(dir, [`u1:${h}:m1`, `u2:${h}:m2`, `rooty:${h}:rootmail`]);
    const { cert, key } = makeCert();
    d = await startDaemon(["--cert", cert, "--key", key, "--pwfile", `${dir}/pwfile`, "--run-dir", `${dir}/run`]);
  });
  afterAll(async () => {
    await d?.stop();
  });

  it("each user process runs as its mail owner, with only that owner's group", async () => {
    const c1 = await Client.tls(d.port, "127.0.0.1", freshLoopback());
    expect((await c1.cmd("LOGIN u1 pw")).at(-1)).toMatch(/ OK /);
    expect((await c1.cmd("SELECT INBOX")).at(-1)).toMatch(/ OK /);
    const c2 = await Client.tls(d.port, "127.0.0.1", freshLoopback());
    expect((await c2.cmd("LOGIN u2 pw")).at(-1)).toMatch(/ OK /);
    const procs = userProcesses(d.proc.pid!);
    const p1 = procUid(procs.get("u1")![0]);
    expect(p1.uid).toBe(systemIds(U1).uid);
    expect(p1.gid).toBe(systemIds(U1).gid);
    expect(p1.groups).toEqual([systemIds(U1).gid]);
    expect(procUid(procs.get("u2")![0]).uid).toBe(systemIds(U2).uid);
    // the socket directory: only that user (and root) may enter it
    const st = statSync(`${dir}/run/uid-${systemIds(U1).uid}-${systemIds(U1).gid}`);
    expect(st.mode & 0o777).toBe(0o700);
    expect(st.uid).toBe(systemIds(U1).uid);
    c1.close();
    c2.close();
  });

  it("u1's identity cannot read u2's 0700 mail directory", () => {
    const { uid, gid } = systemIds(U1);
    const r = spawnSync(process.execPath, ["-e", `require("fs").readdirSync(${JSON.stringify(mail2)})`],
      { uid, gid, encoding: "utf8" });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("EACCES");
  });

  it("mail owned by root is refused: the user process will not run as root", async () => {
    const c = await Client.tls(d.port, "127.0.0.1", freshLoopback());
    expect((await c.cmd("LOGIN rooty pw")).at(-1)).toMatch(/NO \[UNAVAILABLE\]/);
    expect(userProcesses(d.proc.pid!).has("rooty")).toBe(false);
    c.close();
  });

  it("users share a process only with users whose mail has the same owner; a user whose mail changed owner moves once its sessions are gone", async () => {
    const base = tempDir();
    makeMaildir(base, "a1", systemIds(U1), 0o700);
    const moving = makeMaildir(base, "a3", systemIds(U1), 0o700);
    makeMaildir(base, "b2", systemIds(U2), 0o700);
    const h = await pbkdf2Encode("pw", "salt", 1000);
    writePwfile(base, [`v1:${h}:a1`, `v3:${h}:a3`, `v2:${h}:b2`]);
    const { cert, key } = makeCert();
    const dd = await startDaemon(["--cert", cert, "--key", key, "--pwfile", `${base}/pwfile`, "--run-dir", `${base}/run`,
      "--processes-per-owner", "1", "--linger", "500ms"]);
    try {
      const [c1, c3, c2] = await Promise.all(["v1", "v3", "v2"].map((u) => loginTls(dd, u)));
      let p = userProcesses(dd.proc.pid!);
      expect(p.get("v3")).toEqual(p.get("v1"));
      expect(p.get("v2")![0]).not.toBe(p.get("v1")![0]);
      expect(procUid(p.get("v1")![0]).uid).toBe(systemIds(U1).uid);
      expect(procUid(p.get("v2")![0]).uid).toBe(systemIds(U2).uid);

      // v3's mail now belongs to U2: U1's process, where v3 still is, will not serve it
      chownTree(moving, systemIds(U2).uid, systemIds(U2).gid);
      const refused = await Client.tls(dd.port, "127.0.0.1", freshLoopback());
      expect((await refused.cmd("LOGIN v3 pw")).at(-1)).toMatch(/NO \[UNAVAILABLE\]/);
      expect(await until(() => /is owned by .*this process serves/.test(dd.logs()))).toBe(true);
      refused.close();
      // once v3's session is gone and its store closed there, v3 goes to U2's process
      await c3.cmd("LOGOUT");
      expect(await until(() => !userProcesses(dd.proc.pid!).has("v3"))).toBe(true);
      const again = await loginTls(dd, "v3");
      expect((await again.cmd("SELECT INBOX")).at(-1)).toMatch(/ OK /);
      p = userProcesses(dd.proc.pid!);
      expect(p.get("v3")).toEqual(p.get("v2"));
      for (const c of [c1, c2, again]) c.close();
    } finally {
      expect(await dd.stop()).toBe(0);
    }
  });
});
