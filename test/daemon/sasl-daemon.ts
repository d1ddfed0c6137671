// The asimapd of the SASL tests (scram.test.ts, sasl-clients.test.ts), on a TLS and a plain
// port, with two accounts besides the caller's: alice, pbkdf2_sha256 of "pencil" (4096 rounds,
// so SCRAM clients are quick), and md5, Django's md5 vector of "lètmein" (no SCRAM, but PLAIN
// and LOGIN).
import { pbkdf2Encode } from "../../src/daemon/hashers.js";
import { makeCert, makeMaildir, startDaemon, tempDir, writePwfile, type Daemon } from "./harness.js";

export async function startSaslDaemon(lines: string[] = [], args: string[] = []): Promise<{ d: Daemon; dir: string; cert: string }> {
  const dir = tempDir();
  makeMaildir(dir, "mail");
  writePwfile(dir, [
    `alice:${await pbkdf2Encode("pencil", "abcdefghijklmnopqrstuv", 4096)}:mail`,
    "md5:md5$seasalt$3f86d0d3d465b7b458c231bf3555c0e3:mail",
    ...lines,
  ]);
  const { cert, key } = makeCert(); // CN=localhost, which gsasl checks
  const d = await startDaemon(["--cert", cert, "--key", key, "--pwfile", `${dir}/pwfile`, "--plain-port", "0",
    "--run-dir", `${dir}/run`, "--debug", ...args]);
  return { d, dir, cert };
}
