// As root (CI is root): two real system users, each with a 0700 mail directory, log in through the
// real asimapd. Each user process runs with that user's uid everywhere (real, effective, saved,
// filesystem), that user's gid only and no capabilities, so it cannot open the other's files; the
// user's proxy socket cannot be reached by another uid; the state DB is not world-readable.
import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pbkdf2Encode } from "../../src/daemon/hashers.js";
import { Client, freshLoopback, isRoot, makeCert, makeMaildir, startDaemon, tempDir, userProcesses, writePwfile, type Daemon } from "../daemon/harness.js";

const sfx = randomBytes(3).toString("hex");
const UA = `asisa${sfx}`;
const UB = `asisb${sfx}`;
const id = (u: string) => ({
  uid: Number(execFileSync("id", ["-u", u], { encoding: "utf8" })),
  gid: Number(execFileSync("id", ["-g", u], { encoding: "utf8" })),
});

/** Runs `code` in a node process with the given identity; returns its exit status and stderr. */
function as(who: { uid: number; gid: number }, code: string): { status: number | null; stderr: string; stdout: string } {
  const r = spawnSync(process.execPath, ["-e", code], { uid: who.uid, gid: who.gid, encoding: "utf8", timeout: 10_000 });
  return { status: r.status, stderr: r.stderr, stdout: r.stdout };
}

describe.runIf(isRoot)("user isolation (real users, real asimapd)", () => {
  let d: Daemon;
  let dir: string;
  let mailA: string;
  let mailB: string;
  beforeAll(async () => {
    for (const u of [UA, UB]) execFileSync("useradd", ["--no-create-home", "--user-group", "--shell", "/usr/sbin/nologin", u]);
    dir = tempDir();
    mailA = makeMaildir(dir, "ma", id(UA), 0o700);
    mailB = makeMaildir(dir, "mb", id(UB), 0o700);
    const h = await pbkdf2Encode("pw", "salt", 1000);
    writePwfile(dir, [`a:${h}:ma`, `b:${h}:mb`]);
    const { cert, key } = makeCert();
    d = await startDaemon(["--cert", cert, "--key", key, "--pwfile", `${dir}/pwfile`, "--run-dir", `${dir}/run`]);
  });
  afterAll(async () => {
    await d?.stop();
    for (const u of [UA, UB]) spawnSync("userdel", [u]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("each user process: the owner's uid/gid in every slot, no supplementary groups, no capabilities", async () => {
    const ca = await Client.tls(d.port, "127.0.0.1", freshLoopback());
    expect((await ca.cmd("LOGIN a pw")).at(-1)).toMatch(/ OK /);
    expect((await ca.cmd("SELECT INBOX")).at(-1)).toMatch(/ OK /);
    const cb = await Client.tls(d.port, "127.0.0.1", freshLoopback());
    expect((await cb.cmd("LOGIN b pw")).at(-1)).toMatch(/ OK /);
    expect((await cb.cmd("SELECT INBOX")).at(-1)).toMatch(/ OK /);
    const procs = userProcesses(d.proc.pid!);
    for (const [user, who] of [["a", id(UA)], ["b", id(UB)]] as const) {
      const st = readFileSync(`/proc/${procs.get(user)![0]}/status`, "utf8");
      expect(/^Uid:\s+(.*)$/m.exec(st)![1].split(/\s+/).map(Number), `${user} uids`).toEqual([who.uid, who.uid, who.uid, who.uid]);
      expect(/^Gid:\s+(.*)$/m.exec(st)![1].split(/\s+/).map(Number), `${user} gids`).toEqual([who.gid, who.gid, who.gid, who.gid]);
      expect(/^Groups:\s*(.*)$/m.exec(st)![1].trim()).toBe(String(who.gid));
      expect(/^CapEff:\s+(\S+)/m.exec(st)![1]).toMatch(/^0+$/);
      expect(/^CapPrm:\s+(\S+)/m.exec(st)![1]).toMatch(/^0+$/);
    }
    ca.close();
    cb.close();
  });

  it("A's identity cannot read B's messages, sequences or state database", () => {
    for (const f of [join(mailB, "inbox", readdirSync(join(mailB, "inbox")).find((x) => /^\d+$/.test(x))!),
      join(mailB, "inbox", ".mh_sequences"), join(mailB, ".asimap-state.sqlite")]) {
      const r = as(id(UA), `require("fs").readFileSync(${JSON.stringify(f)})`);
      expect(r.status, f).not.toBe(0);
      expect(r.stderr).toMatch(/EACCES/);
    }
    // and B's own identity can (control: the files exist and the test can fail)
    expect(as(id(UB), `require("fs").readFileSync(${JSON.stringify(join(mailB, ".asimap-state.sqlite"))})`).status).toBe(0);
  });

  it("the state database and everything the user process wrote is not world-readable", () => {
    for (const m of [mailA, mailB]) {
      for (const f of readdirSync(m).filter((x) => x.startsWith(".asimap-state.sqlite"))) {
        expect(statSync(join(m, f)).mode & 0o077, `${f} mode`).toBe(0);
      }
    }
  });

  it("B's uid cannot connect to A's user-process socket; the socket dir is 0700 and A's", () => {
    const sockDir = join(dir, "run", `uid-${id(UA).uid}-${id(UA).gid}`);
    const st = statSync(sockDir);
    expect(st.mode & 0o777).toBe(0o700);
    expect(st.uid).toBe(id(UA).uid);
    const sock = readdirSync(sockDir).find((f) => f.endsWith(".sock"))!;
    expect(sock).toBeDefined();
    const code = `const s=require("net").connect(${JSON.stringify(join(sockDir, sock))});` +
      `s.on("connect",()=>{console.log("CONNECTED");process.exit(0)});s.on("error",(e)=>{console.error(e.code);process.exit(3)})`;
    const r = as(id(UB), code);
    expect(r.stdout).not.toContain("CONNECTED");
    expect(r.stderr).toMatch(/EACCES/);
    const nobody = as({ uid: 65534, gid: 65534 }, code);
    expect(nobody.stderr).toMatch(/EACCES/);
  });
});
