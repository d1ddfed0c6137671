// The real asimapd (root process + a user process) serving a copy of the fixture mail, for the
// end-to-end tests with real clients. Run as root (CI), the mail belongs to `nobody`, so the user
// process really drops privileges; nmh commands in the tests then run as that owner too.
import { pbkdf2Sync } from "node:crypto";
import { writeFileSync } from "node:fs";
import { chownTree } from "../../src/cli/chown-tree.js";
import { join } from "node:path";
import { isRoot, makeCert, startDaemon, tempDir, type Daemon } from "../daemon/harness.js";

export interface E2eServer {
  daemon: Daemon;
  tlsPort: number;
  plainPort: number;
  /** options for child_process so nmh runs as the mail's owner */
  owner: { uid?: number; gid?: number };
  stop(): Promise<void>;
}

/** Serves `home/Mail` (with `home/.mh_profile`) as user tester / password secret; `o.pwfileTail`
 *  ends tester's password file line (e.g. `:storage=1M`), `o.args` go to asimapd. */
export async function startAsimapd(
  home: string, root: string, env: Record<string, string> = {}, o: { pwfileTail?: string; args?: string[] } = {},
): Promise<E2eServer> {
  const owner = isRoot ? { uid: 65534, gid: 65534 } : {};
  if (owner.uid !== undefined) chownTree(home, owner.uid, owner.gid!);
  const conf = tempDir("asimap-e2e-");
  const salt = "e2esalt";
  const hash = pbkdf2Sync("secret", salt, 1000, 32, "sha256").toString("base64");
  const pwfile = join(conf, "pwfile");
  writeFileSync(pwfile, `tester:pbkdf2_sha256$1000$${salt}$${hash}:${root}${o.pwfileTail ?? ""}\n`, { mode: 0o600 });
  const { cert, key } = makeCert();
  const daemon = await startDaemon(
    ["--plain-port", "0", "--cert", cert, "--key", key, "--pwfile", pwfile, "--run-dir", tempDir("asimap-run-"), ...(o.args ?? [])],
    { MH: join(home, ".mh_profile"), HOME: home, ...env },
  );
  return {
    daemon, tlsPort: daemon.port, plainPort: daemon.plainPort!, owner,
    async stop() {
      await daemon.stop();
    },
  };
}
