// Run as root: a user process serves the mail of an owner with a real passwd entry, whose home
// holds the nmh profile. The unseen sequence that profile names (not root's, not nmh's default)
// decides \Seen, and the process lives in the owner's environment, not root's.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { NMH } from "../store/helpers.js";
import { pbkdf2Encode } from "../../src/daemon/hashers.js";
import { chownTree } from "../../src/cli/chown-tree.js";
import {
  addSystemUser, isRoot, loginTls, makeCert, makeMaildir, startDaemon, tempDir, until, userProcesses, writePwfile, type Daemon,
} from "./harness.js";

const OWNER = `asimh${randomBytes(3).toString("hex")}`;
const ORPHAN_UID = 54_329;

describe.runIf(isRoot)("as root, the mail owner's nmh profile", () => {
  let d: Daemon;
  let home: string;
  let ids: { uid: number; gid: number };

  /** Runs an nmh command as the owner would, in the owner's own environment. */
  function nmh(cmd: string, args: string[], input?: string): void {
    const r = spawnSync(cmd === "rcvstore" ? "/usr/lib/mh/rcvstore" : path.join(NMH, cmd), args, { input, uid: ids.uid, gid: ids.gid, encoding: "utf8",
      env: { HOME: home, USER: OWNER, PATH: process.env.PATH ?? "/usr/bin:/bin" } });
    if (r.status !== 0) throw new Error(`${cmd}: ${r.stderr}`);
  }

  beforeAll(async () => {
    const dir = tempDir();
    home = path.join(dir, "home");
    ids = addSystemUser(OWNER, home);
    mkdirSync(path.join(home, "Mail", "inbox"), { recursive: true });
    writeFileSync(path.join(home, ".mh_profile"), "Path: Mail\nUnseen-Sequence: fresh\n");
    chownTree(home, ids.uid, ids.gid);
    // 1: new mail as nmh files it (into the profile's unseen sequence); 2: filed as read, but
    // in a sequence called `unseen`, which is not this owner's unseen sequence
    nmh("rcvstore", ["+inbox"], "From: a@example.com\nSubject: new\n\nnew\n");
    nmh("rcvstore", ["+inbox", "-nounseen"], "From: b@example.com\nSubject: read\n\nread\n");
    nmh("mark", ["+inbox", "2", "-sequence", "unseen", "-add"]);
    expect(readFileSync(path.join(home, "Mail", "inbox", ".mh_sequences"), "utf8")).toMatch(/^fresh: 1$/m);

    // root's own profile (named by MH, as an operator's shell may leave it) says otherwise
    const rootProfile = path.join(dir, "root-profile");
    writeFileSync(rootProfile, "Path: Mail\nUnseen-Sequence: unseen\n");
    const conf = tempDir();
    const h = await pbkdf2Encode("pw", "salt", 1000);
    // (and mail whose owner is a uid with no passwd entry at all)
    const orphan = makeMaildir(dir, "orphan", { uid: ORPHAN_UID, gid: ORPHAN_UID }, 0o700);
    writePwfile(conf, [`owner:${h}:${home}/Mail`, `orphan:${h}:${orphan}`]);
    const { cert, key } = makeCert();
    d = await startDaemon(["--cert", cert, "--key", key, "--pwfile", `${conf}/pwfile`, "--run-dir", `${conf}/run`],
      { HOME: "/root", MH: rootProfile, USER: "root", LOGNAME: "root", ASIMAPD_TEST_ROOT_ONLY: "secret" });
  });
  afterAll(async () => {
    await d?.stop();
  });

  it("names the unseen sequence: a message nmh filed as new is not \\Seen, one outside that sequence is", async () => {
    const c = await loginTls(d, "owner");
    try {
      expect((await c.cmd("SELECT INBOX")).at(-1)).toMatch(/OK \[READ-WRITE\]/);
      const fetched = await c.cmd("FETCH 1:2 (FLAGS)");
      expect(fetched.find((l) => l.startsWith("* 1 FETCH"))).not.toContain("\\Seen");
      expect(fetched.find((l) => l.startsWith("* 2 FETCH"))).toContain("\\Seen");
      // and a message read over IMAP leaves the owner's unseen sequence, where nmh looks
      await c.cmd("STORE 1 +FLAGS.SILENT (\\Seen)");
      expect(readFileSync(path.join(home, "Mail", "inbox", ".mh_sequences"), "utf8")).not.toMatch(/^fresh:/m);
    } finally {
      c.close();
    }
  });

  it("the user process has the owner's HOME, USER and LOGNAME, and none of root's environment", async () => {
    const c = await loginTls(d, "owner");
    try {
      expect(await until(() => userProcesses(d.proc.pid!).has("owner"))).toBe(true);
      const pid = userProcesses(d.proc.pid!).get("owner")![0];
      const ready = d.logs().split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((l) => l.msg === "user process ready" && l.pid === pid);
      expect(ready).toMatchObject({ home, owner: OWNER });
      // what it was started with (as a spare, before its owner was known): nothing of root's
      const environ = readFileSync(`/proc/${pid}/environ`, "latin1").split("\0");
      expect(environ.filter((v) => /^(HOME|MH|USER|LOGNAME|ASIMAPD_TEST_ROOT_ONLY)=/.test(v))).toEqual([]);
      expect(environ.some((v) => v.startsWith("PATH="))).toBe(true);
    } finally {
      c.close();
    }
  });

  it("mail of a uid without a passwd entry is served with nmh's defaults, and the log says why", async () => {
    expect(spawnSync("getent", ["passwd", String(ORPHAN_UID)]).status).not.toBe(0);
    const c = await loginTls(d, "orphan");
    try {
      expect((await c.cmd("SELECT INBOX")).at(-1)).toMatch(/OK \[READ-WRITE\]/);
      expect(await until(() => d.logs().includes("the mail owner has no passwd entry"))).toBe(true);
    } finally {
      c.close();
    }
  });
});
