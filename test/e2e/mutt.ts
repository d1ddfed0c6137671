// Runs mutt against an E2eServer over implicit TLS: test/e2e/mutt_drive.py types its keys through
// a pseudo-terminal (open the first folder, change to each of the others, quit), and mutt's own
// debug log, returned with CRLFs made LFs, shows the IMAP dialogue.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { E2eServer } from "./server.js";

/** @param settings muttrc lines besides the account's; @returns the debug log and mutt's directory */
export async function runMutt(server: E2eServer, settings: string[], folders: string[] = []): Promise<{ log: string; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), "asimap-mutt-"));
  const base = `imaps://127.0.0.1:${server.tlsPort}/`;
  writeFileSync(join(dir, "muttrc"), [
    "set imap_user = tester", "set imap_pass = secret", `set folder = "${base}"`, 'set spoolfile = "+INBOX"',
    "set ssl_verify_host = no", "set ssl_verify_dates = no",
    `set certificate_file = ${join(dir, "certs")}`, 'set header_cache = ""', "set timeout = 1", "set quit = yes",
    ...settings,
  ].join("\n") + "\n");
  await promisify(execFile)("python3", [
    join(import.meta.dirname, "mutt_drive.py"), join(dir, "muttrc"), `${base}INBOX`, ...folders.map((f) => `=${f}`),
  ], { timeout: 120_000 });
  // (mutt logs the commands it sent with their CR)
  return { log: readFileSync(join(dir, ".muttdebug0"), "latin1").replace(/\r\n/g, "\n"), dir };
}
