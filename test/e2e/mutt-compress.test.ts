// A real compressed session of mutt (set imap_deflate=yes) against the real asimapd over TLS:
// it sends COMPRESS DEFLATE, then opens every folder and reads its headers through it.
// mutt is a curses program, driven through a pseudo-terminal (test/e2e/mutt.ts).
import { afterEach, expect, it } from "vitest";
import { rmSync } from "node:fs";
import { makeMail } from "../imap/harness.js";
import { runMutt } from "./mutt.js";
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
  let log: string;
  ({ log, dir } = await runMutt(server, ["set imap_deflate = yes"], FOLDERS));
  expect(log).toMatch(/> (\w+) COMPRESS DEFLATE\n.*< \1 OK DEFLATE active\./);
  for (const f of ["INBOX", ...FOLDERS]) {
    // each SELECT after COMPRESS answered, and the headers fetched through the compressed stream
    const m = new RegExp(`> (\\w+) SELECT "${f}"\\n(?:.*\\n)*?.*< \\1 OK \\[READ-WRITE\\][^\\n]*\\n(?:.*\\n)*?.*< \\w+ OK Fetch completed`).exec(log);
    expect(m, `mutt opened ${f}`).not.toBeNull();
  }
  expect(log.indexOf("COMPRESS DEFLATE")).toBeLessThan(log.indexOf('SELECT "INBOX"'));
}, 180_000);
