// SORT and THREAD on their own: RFC 5256 rules on hand-made messages, and proof that answers
// come from the cached index (message files rewritten behind the store's back do not change them).
import { describe, expect, it } from "vitest";
import { readFileSync, readdirSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { useServer } from "../imap/setup.js";

const t = useServer();

const msg = (subject: string, date: string, extra = "") =>
  `From: a@b.example\r\nSubject: ${subject}\r\nDate: ${date}\r\n${extra}\r\nbody\r\n`;

async function appendAll(msgs: string[]): Promise<void> {
  await t.c.cmd("CREATE t");
  for (const m of msgs) {
    const r = await t.c.cmd(`APPEND t {${Buffer.byteLength(m)}+}\r\n${m}`);
    expect(r.tagged).toMatch(/OK/);
  }
  await t.c.cmd("SELECT t");
}

describe("THREAD (RFC 5256 §2.2)", () => {
  it("ORDEREDSUBJECT: one thread per base subject, children by date, threads by their first date", async () => {
    await appendAll([
      msg("foo", "Mon, 1 Jan 2024 10:00:00 +0000"),
      msg("Re: foo", "Mon, 1 Jan 2024 13:00:00 +0000"),
      msg("bar", "Mon, 1 Jan 2024 11:00:00 +0000"),
      msg("[list] Fwd: FOO (fwd)", "Mon, 1 Jan 2024 12:00:00 +0000"),
      msg("re: bar", "Mon, 1 Jan 2024 09:00:00 +0000"),
    ]);
    const r = await t.c.cmd("THREAD ORDEREDSUBJECT UTF-8 ALL");
    // bar's thread starts with 5 (09:00), foo's with 1 (10:00); 1 has two children: 4, 2
    expect(r.untagged).toEqual(["* THREAD (5 3)(1 (4)(2))"]);
  });

  it("REFERENCES: parents from References, In-Reply-To when there are none, dummies, subjects", async () => {
    await appendAll([
      msg("root", "Mon, 1 Jan 2024 10:00:00 +0000", "Message-ID: <r@x>\r\n"),
      msg("Re: root", "Mon, 1 Jan 2024 11:00:00 +0000", "Message-ID: <a@x>\r\nIn-Reply-To: <r@x>\r\n"),
      msg("Re: root", "Mon, 1 Jan 2024 12:00:00 +0000", "Message-ID: <b@x>\r\nReferences: <r@x> <a@x>\r\n"),
      // two replies to a message we do not have: a dummy parent holds them
      msg("lost", "Mon, 1 Jan 2024 09:00:00 +0000", "Message-ID: <c@x>\r\nReferences: <gone@x>\r\n"),
      msg("Re: lost", "Mon, 1 Jan 2024 09:30:00 +0000", "Message-ID: <d@x>\r\nReferences: <gone@x>\r\n"),
      // no references, but the same base subject as a thread whose root is not a reply
      msg("Re: root", "Mon, 1 Jan 2024 08:00:00 +0000", "Message-ID: <e@x>\r\n"),
    ]);
    const r = await t.c.cmd("THREAD REFERENCES UTF-8 ALL");
    // 6 joins 1 by subject (a reply to a non-reply) and sorts first among 1's children by date;
    // Dovecot answers the same
    expect(r.untagged).toEqual(["* THREAD ((4)(5))(1 (6)(2 3))"]);
    const u = await t.c.cmd("UID THREAD REFERENCES UTF-8 NOT SUBJECT lost");
    expect(u.untagged).toEqual(["* THREAD (1 (6)(2 3))"]);
  });

  it("refuses an unknown charset with BADCHARSET", async () => {
    await t.c.cmd("SELECT INBOX");
    expect((await t.c.cmd("THREAD REFERENCES KOI8-R ALL")).tagged).toMatch(/NO \[BADCHARSET \(UTF-8 US-ASCII\)\]/);
    expect((await t.c.cmd("SORT (DATE) KOI8-R ALL")).tagged).toMatch(/NO \[BADCHARSET/);
  });
});

describe("SORT", () => {
  it("answers from the cached index: rewriting the files behind the store changes nothing", async () => {
    await t.c.cmd("SELECT INBOX");
    const before = (await t.c.cmd("SORT (SUBJECT FROM DATE) UTF-8 ALL")).untagged;
    const thread = (await t.c.cmd("THREAD REFERENCES UTF-8 ALL")).untagged;
    expect(before[0]).toMatch(/^\* SORT( \d+){8}$/);
    // same size, same mtime, same inode: the store keeps its cache; the headers are garbled
    const dir = join(t.mail.root, "inbox");
    for (const n of readdirSync(dir).filter((f) => /^\d+$/.test(f))) {
      const p = join(dir, n);
      const st = statSync(p);
      const bytes = readFileSync(p);
      // each header the index uses loses its first letter (same length): Subject → Xubject
      const garbled = Buffer.from(
        bytes.toString("latin1").replace(/^(Subject|From|To|Cc|Date|References|Message-ID|In-Reply-To):/gim, (h) => "X" + h.slice(1)),
        "latin1",
      );
      expect(garbled.length).toBe(bytes.length);
      writeFileSync(p, garbled);
      utimesSync(p, st.atime, st.mtime);
    }
    expect((await t.c.cmd("SORT (SUBJECT FROM DATE) UTF-8 ALL")).untagged).toEqual(before);
    expect((await t.c.cmd("THREAD REFERENCES UTF-8 ALL")).untagged).toEqual(thread);
  });

  it("REVERSE applies to its key only; ties keep sequence order", async () => {
    await appendAll([
      msg("b", "Mon, 1 Jan 2024 10:00:00 +0000"),
      msg("a", "Mon, 1 Jan 2024 10:00:00 +0000"),
      msg("Re: b", "Mon, 1 Jan 2024 09:00:00 +0000"),
      msg("a", "Mon, 1 Jan 2024 11:00:00 +0000"),
    ]);
    expect((await t.c.cmd("SORT (SUBJECT) UTF-8 ALL")).untagged).toEqual(["* SORT 2 4 1 3"]);
    expect((await t.c.cmd("SORT (REVERSE SUBJECT) UTF-8 ALL")).untagged).toEqual(["* SORT 1 3 2 4"]);
    expect((await t.c.cmd("SORT (SUBJECT REVERSE DATE) UTF-8 ALL")).untagged).toEqual(["* SORT 4 2 1 3"]);
    expect((await t.c.cmd("SORT (DATE) UTF-8 ALL")).untagged).toEqual(["* SORT 3 1 2 4"]);
    expect((await t.c.cmd("UID SORT (REVERSE DATE) UTF-8 SUBJECT a")).untagged).toEqual(["* SORT 4 2"]);
  });
});
