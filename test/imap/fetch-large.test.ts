// BODY[] of a message larger than one 256 KB read: the streamed CRLF form equals the one-shot
// conversion of the file, whole and in partials that cross read boundaries (including a CR at
// the end of one read and its LF at the start of the next).
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { makeMail, RawClient, startServer, type Running } from "./harness.js";

let mail: ReturnType<typeof makeMail>;
let srv: Running;
let c: RawClient;

const READ = 256 * 1024;

/** ~900 KB: LF lines, a CRLF line, a bare CR, and a CR LF pair split across the first read. */
function bigMessage(): Buffer {
  const head = "From: big@example.org\nTo: you@example.org\nSubject: big\nMessage-ID: <big@x>\n\n";
  let body = "";
  for (let i = 0; body.length + head.length < READ; i++) body += `line ${i} ${"x".repeat(i % 70)}\n`;
  body = body.slice(0, READ - 1 - head.length); // the byte at READ-1 is the CR, READ is its LF
  body += "\r\n";
  for (let i = 0; body.length < 900_000; i++) body += i % 97 === 0 ? `crlf ${i}\r\n` : i % 89 === 0 ? `bare\rcr ${i}\n` : `l${i} ${"y".repeat(i % 75)}\n`;
  return Buffer.from(head + body, "latin1");
}

const toCrlf = (b: Buffer) => Buffer.from(b.toString("latin1").replace(/(?<!\r)\n/g, "\r\n"), "latin1");

beforeEach(async () => {
  mail = makeMail();
  process.env.MH = `${mail.home}/.mh_profile`;
  srv = await startServer(mail.root);
  c = await RawClient.connect(srv.port);
});
afterEach(async () => {
  c.close();
  await srv.close();
  mail.cleanup();
});

function literal(line: string): Buffer {
  const m = /\{(\d+)\}\r\n/.exec(line);
  expect(m).not.toBeNull();
  const start = m!.index + m![0].length;
  const bytes = Buffer.from(line.slice(start, start + Number(m![1])), "latin1");
  expect(bytes.length).toBe(Number(m![1]));
  return bytes;
}

describe("FETCH BODY[] of a large message", () => {
  it("streams the CRLF form, whole and in partials across read boundaries", async () => {
    const file = bigMessage();
    expect(file[READ - 1]).toBe(13);
    expect(file[READ]).toBe(10);
    writeFileSync(join(mail.root, "inbox", "9"), file);
    const want = toCrlf(file);
    await c.cmd("SELECT INBOX");
    const whole = await c.cmd("UID FETCH 9 (RFC822.SIZE BODY.PEEK[])");
    expect(whole.tagged).toMatch(/OK/);
    expect(whole.untagged[0]).toContain(`RFC822.SIZE ${want.length} `);
    expect(literal(whole.untagged[0]).equals(want)).toBe(true);
    for (const [off, len] of [[0, 10], [READ - 5, 20], [READ + 1000, READ + 7], [want.length - 3, 100], [300_000, 500_000]]) {
      const r = await c.cmd(`UID FETCH 9 BODY.PEEK[]<${off}.${len}>`);
      expect(literal(r.untagged[0]).equals(want.subarray(off, off + len))).toBe(true);
    }
    const text = await c.cmd("UID FETCH 9 BODY.PEEK[TEXT]");
    const headLen = file.indexOf("\n\n") + 2;
    expect(literal(text.untagged[0]).equals(toCrlf(file.subarray(headLen)))).toBe(true);
  });

  it("whole-message items stream the file without parsing it; with ENVELOPE (the parsed path) the bytes are the same", async () => {
    const file = bigMessage();
    writeFileSync(join(mail.root, "inbox", "9"), file);
    const want = toCrlf(file);
    await c.cmd("SELECT INBOX");
    const indexed = () => {
      const db = new Database(join(mail.root, ".asimap-state.sqlite"), { readonly: true });
      try {
        return (db.prepare("SELECT count(*) AS n FROM message_index i JOIN messages m USING (mailbox_id, uid) WHERE m.num = 9").get() as { n: number }).n;
      } finally {
        db.close();
      }
    };
    const plain = await c.cmd("UID FETCH 9 (BODY.PEEK[] BODY.PEEK[]<7.100000> RFC822.SIZE)");
    expect(plain.tagged).toMatch(/OK/);
    expect(literal(plain.untagged[0]).equals(want)).toBe(true);
    await c.cmd("NOOP"); // index writes would have landed by now
    expect(indexed()).toBe(0); // nothing parsed the message
    const parsed = await c.cmd("UID FETCH 9 (ENVELOPE BODY.PEEK[])");
    expect(parsed.tagged).toMatch(/OK/);
    expect(literal(parsed.untagged[0]).equals(want)).toBe(true);
    await c.cmd("NOOP");
    expect(indexed()).toBe(1);
    // RFC822 is the whole message too, and sets \Seen
    expect((await c.cmd("UID STORE 9 -FLAGS.SILENT (\\Seen)")).tagged).toMatch(/OK/);
    const rfc = await c.cmd("UID FETCH 9 RFC822");
    expect(literal(rfc.untagged[0]).equals(want)).toBe(true);
    expect(rfc.untagged.join("")).toMatch(/\\Seen/);
  });

  it("a file replaced behind our back is not streamed as the old message, on either path", async () => {
    for (const n of [9, 10]) writeFileSync(join(mail.root, "inbox", String(n)), bigMessage());
    await c.cmd("SELECT INBOX");
    const replace = (n: number) => {
      // as nmh's anno does: a new file renamed over the old one (another inode, another size)
      const tmp = join(mail.root, "inbox", `.tmp${n}`);
      writeFileSync(tmp, Buffer.concat([Buffer.from("X-Annotated: yes\n"), bigMessage()]));
      renameSync(tmp, join(mail.root, "inbox", String(n)));
    };
    replace(9);
    const whole = await c.cmd("UID FETCH 9 BODY.PEEK[]");
    expect(whole.tagged).toMatch(/OK \[EXPUNGEISSUED\]/);
    expect(whole.untagged.join("\n")).not.toMatch(/BODY\[\] \{/);
    replace(10);
    const parsed = await c.cmd("UID FETCH 10 (ENVELOPE BODY.PEEK[])");
    expect(parsed.tagged).toMatch(/OK \[EXPUNGEISSUED\]/);
    expect((await c.cmd("NOOP")).tagged).toMatch(/OK/);
  });

  it("a file replaced after its MIME index was cached is not read under that index", async () => {
    for (const n of [9, 10]) writeFileSync(join(mail.root, "inbox", String(n)), bigMessage());
    await c.cmd("SELECT INBOX");
    expect((await c.cmd("UID FETCH 9:10 BODYSTRUCTURE")).tagged).toMatch(/OK/); // the indexes are cached now
    for (const n of [9, 10]) {
      const tmp = join(mail.root, "inbox", `.tmp${n}`);
      writeFileSync(tmp, Buffer.concat([Buffer.from("X-Annotated: yes\n"), bigMessage()]));
      renameSync(tmp, join(mail.root, "inbox", String(n)));
    }
    // the header block (read synchronously, then cached): not the new file's first bytes
    const h = await c.cmd("UID FETCH 10 BODY.PEEK[HEADER.FIELDS (SUBJECT X-ANNOTATED)]");
    expect(h.tagged).toMatch(/OK \[EXPUNGEISSUED\]/);
    expect(h.untagged.join("\n")).not.toMatch(/X-Annotated/);
    // a part streamed from the file
    const r = await c.cmd("UID FETCH 9 BODY.PEEK[TEXT]");
    expect(r.tagged).toMatch(/OK \[EXPUNGEISSUED\]/);
    expect((await c.cmd("NOOP")).tagged).toMatch(/OK/);
  });
});
