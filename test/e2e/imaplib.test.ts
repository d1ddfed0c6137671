// End to end with Python's imaplib.
import { afterEach, beforeEach, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { createUserServer } from "../../src/imap/user-server.js";
import type { UserServer } from "../../src/imap/api.js";
import { makeMail, silentLogger } from "../imap/harness.js";
import { startFront } from "./front.js";

let mail: ReturnType<typeof makeMail>;
let server: UserServer;
let front: Awaited<ReturnType<typeof startFront>>;

beforeEach(async () => {
  mail = makeMail();
  process.env.MH = join(mail.home, ".mh_profile");
  server = await createUserServer({ username: "tester", maildir: mail.root, logger: silentLogger });
  front = await startFront(server, "tester", "secret");
});
afterEach(async () => {
  await front.close();
  await server.shutdown();
  mail.cleanup();
});

it("python imaplib: list, select, fetch, search, store, copy, append, expunge", async () => {
  const { stdout } = await promisify(execFile)("python3", [join(import.meta.dirname, "imaplib_client.py"), String(front.port)]);
  const r = JSON.parse(stdout);
  expect(r.list).toContain('(\\HasNoChildren) "/" INBOX');
  expect(r.list).toContain('(\\HasNoChildren \\Sent) "/" "Sent Messages"');
  expect(r.exists).toBe(8);
  expect(r.fetch[0]).toMatch(/^1 \(FLAGS \(\\Seen\) RFC822.SIZE \d+ BODY\[HEADER.FIELDS \(SUBJECT\)\] \{\d+\}$/);
  const size = Number(/RFC822.SIZE (\d+)/.exec(r.after_rfc822)![1]);
  expect(r.rfc822_len).toBe(size);
  expect(r.unseen).toBe("5 6 7 8");
  expect(r.flagged_uids).toBe("2");
  expect(r.store).toEqual(["1 (FLAGS (\\Flagged \\Seen))"]);
  expect(r.copy).toBe("OK");
  expect(r.append[0]).toBe("OK");
  expect(r.append[1]).toMatch(/^\[APPENDUID \d+ 25\] Append completed\.$/);
  expect(r.status).toBe("one (MESSAGES 25)");
  expect(r.expunge).toEqual(["4"]);
});
