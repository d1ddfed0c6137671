// mutt (Debian's, built with GNU SASL) logging in to the real asimapd with imap_authenticators =
// scram-sha-256: a second SCRAM client we did not write, used as a person would (gsasl's own IMAP
// client, which also binds with -PLUS, is in test/daemon/sasl-clients.test.ts). mutt gives GNU
// SASL no channel binding data, so it cannot use -PLUS ("a tls-exporter channel binding was not
// provided") and sends the gs2 flag "n", which -PLUS being offered does not refuse.
import { afterEach, expect, it } from "vitest";
import { rmSync } from "node:fs";
import { makeMail } from "../imap/harness.js";
import { runMutt } from "./mutt.js";
import { startAsimapd, type E2eServer } from "./server.js";

let mail: ReturnType<typeof makeMail> | undefined;
let server: E2eServer | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await server?.stop();
  mail?.cleanup();
  if (!process.env.KEEP) for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

it("mutt logs in with SCRAM-SHA-256 and opens the INBOX", async () => {
  mail = makeMail();
  server = await startAsimapd(mail.home, mail.root);
  const { log, dir } = await runMutt(server, ['set imap_authenticators = "scram-sha-256"']);
  dirs.push(dir);
  expect(log).toContain("imap_auth_gsasl: using mech SCRAM-SHA-256\n");
  // with the client-first message as an initial response (SASL-IR), naming itself as authzid
  const ir = /> (\w+) AUTHENTICATE SCRAM-SHA-256 (\S+)\n(?:.*\n)*?.*< \1 OK \[CAPABILITY/.exec(log);
  expect(ir).not.toBeNull();
  expect(Buffer.from(ir![2], "base64").toString()).toMatch(/^n,a=tester,n=tester,r=/);
  expect(log).toMatch(/> (\w+) SELECT "INBOX"\n(?:.*\n)*?.*< \1 OK \[READ-WRITE\]/);
  expect(log).not.toMatch(/> \w+ (LOGIN|AUTHENTICATE PLAIN)/);
}, 180_000);
