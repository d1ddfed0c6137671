// SIGUSR1 to the root switches tracing for every user, those whose process starts later
// included: the root keeps the switch and gives it to each process it assigns.
import { beforeAll, describe, expect, it } from "vitest";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { loginTls as login, makeCert, startDaemon, tempDir, until, usersWithMail } from "./harness.js";

let dir: string;
let pwfile: string;
beforeAll(async () => {
  dir = tempDir();
  pwfile = await usersWithMail(dir, ["alice", "bob", "carol"]);
});

describe("SIGUSR1 to the root", () => {
  it("traces users who log in after it; a second one stops tracing everyone, later users too", async () => {
    const { cert, key } = makeCert();
    const traces = path.join(tempDir(), "traces");
    const d = await startDaemon(["--cert", cert, "--key", key, "--pwfile", pwfile, "--processes-per-owner", "0",
      "--trace-dir", traces]);
    const file = (u: string) => path.join(traces, `${u}-asimapd.trace`);
    const text = (u: string) => (existsSync(file(u)) ? readFileSync(file(u), "utf8") : "");
    const switched = () => d.logs().split("\n").filter((l) => l.includes(`"pid":${d.proc.pid},`) && l.includes("SIGUSR1")).length;
    const usr1 = async () => {
      const n = switched();
      process.kill(d.proc.pid!, "SIGUSR1");
      expect(await until(() => switched() > n)).toBe(true);
    };
    try {
      const bob = await login(d, "bob"); // its process runs before the switch
      await bob.cmd("NOOP", "bob-before");
      await usr1(); // on
      const alice = await login(d, "alice"); // a process assigned after it
      await alice.cmd("NOOP", "alice-on");
      // (of a connection open before the switch only what the client sends: traces/README.md)
      await bob.cmd("NOOP", "bob-on");
      expect(await until(() => text("alice").includes("alice-on OK") && text("bob").includes("bob-on NOOP"))).toBe(true);

      await usr1(); // off
      const carol = await login(d, "carol");
      await carol.cmd("NOOP", "carol-off");
      await alice.cmd("NOOP", "alice-off");
      await usr1(); // on again: what was sent while off would have come before these
      await carol.cmd("NOOP", "carol-on");
      await alice.cmd("NOOP", "alice-on2");
      expect(await until(() => text("carol").includes("carol-on NOOP") && text("alice").includes("alice-on2 NOOP"))).toBe(true);
      expect(text("carol")).not.toContain("carol-off");
      expect(text("alice")).not.toContain("alice-off");
      expect(text("bob")).not.toContain("bob-before");
      for (const c of [alice, bob, carol]) c.close();
    } finally {
      await d.stop();
    }
  });
});
