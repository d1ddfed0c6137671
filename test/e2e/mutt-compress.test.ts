// A real compressed session of mutt (set imap_deflate=yes) against the real asimapd over TLS:
// it sends COMPRESS DEFLATE, then opens every folder and reads its headers through it.
// mutt is a curses program: test/e2e/mutt_drive.py types its keys through a pseudo-terminal,
// and mutt's own debug log shows the IMAP dialogue.
import { afterEach, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { makeMail } from "../imap/harness.js";
import { startAsimapd, type E2eServer } from "./server.js";

let mail: ReturnType<typeof makeMail> | undefined;
let server: E2eServer | undefined;
let dir: string | undefined;
afterEach(async () => {
  await server?.stop();
  mail?.cleanup();
  if (dir && !process.env.KEEP) rmSync(dir, { recursive: true, force: true });
});

// every folder of the fixture mail besides INBOX (LIST shows these)
const FOLDERS = ["Archive", "Deleted Messages", "Drafts", "Junk", "Sent Messages", "one", "problems"];

it("mutt with imap_deflate reads every folder through COMPRESS=DEFLATE", async () => {
  mail = makeMail();
  server = await startAsimapd(mail.home, mail.root);
  dir = mkdtempSync(join(tmpdir(), "asimap-mutt-"));
  const base = `imaps://127.0.0.1:${server.tlsPort}/`;
  writeFileSync(join(dir, "muttrc"), [
    "set imap_user = tester", "set imap_pass = secret", `set folder = "${base}"`, 'set spoolfile = "+INBOX"',
    "set imap_deflate = yes", "set ssl_verify_host = no", "set ssl_verify_dates = no",
    `set certificate_file = ${join(dir, "certs")}`, 'set header_cache = ""', "set timeout = 1", "set quit = yes",
  ].join("\n") + "\n");
  await promisify(execFile)("python3", [
    join(import.meta.dirname, "mutt_drive.py"), join(dir, "muttrc"), `${base}INBOX`, ...FOLDERS.map((f) => `=${f}`),
  ], { timeout: 120_000 });
  // (mutt logs the commands it sent with their CR)
  const log = readFileSync(join(dir, ".muttdebug0"), "latin1").replace(/\r\n/g, "\n");
  expect(log).toMatch(/> (\w+) COMPRESS DEFLATE\n.*< \1 OK DEFLATE active\./);
  for (const f of ["INBOX", ...FOLDERS]) {
    // each SELECT after COMPRESS answered, and the headers fetched through the compressed stream
    const m = new RegExp(`> (\\w+) SELECT "${f}"\\n(?:.*\\n)*?.*< \\1 OK \\[READ-WRITE\\][^\\n]*\\n(?:.*\\n)*?.*< \\w+ OK Fetch completed`).exec(log);
    expect(m, `mutt opened ${f}`).not.toBeNull();
  }
  expect(log.indexOf("COMPRESS DEFLATE")).toBeLessThan(log.indexOf('SELECT "INBOX"'));
}, 180_000);
