// Several sessions on one mailbox, and nmh changing it underneath: which updates each session
// gets, and when (RFC 3501 §7.4.1, RFC 2180, RFC 2177).
import { describe, expect, it } from "vitest";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { useServer } from "./setup.js";
import { nmh as runNmh } from "./nmh.js";

const t = useServer();

const nmh = (cmd: string, args: string[]): string => runNmh(t.mail.home, cmd, args);

const MSG = "From: x@y.example\r\nSubject: new\r\n\r\nhello\r\n";

describe("updates between sessions", () => {
  it("EXISTS and RECENT after another session's APPEND, FETCH FLAGS after its STORE", async () => {
    const a = t.c;
    const b = await t.connect();
    await a.cmd("SELECT INBOX");
    await b.cmd("SELECT INBOX");
    await a.cmd(`APPEND INBOX {${MSG.length}+}\r\n${MSG}`);
    // the appending session sees its own message too (it has INBOX selected)
    const bn = await b.cmd("NOOP");
    expect(bn.untagged).toEqual(["* 9 EXISTS", expect.stringMatching(/^\* [01] RECENT$/)]);
    await a.cmd("STORE 1 +FLAGS (\\Flagged)");
    expect((await b.cmd("NOOP")).untagged).toEqual(["* 1 FETCH (FLAGS (\\Flagged \\Seen))"]);
    // told once only
    expect((await b.cmd("NOOP")).untagged).toEqual([]);
    await a.cmd("STORE 2 +FLAGS.SILENT (work)");
    expect((await b.cmd("NOOP")).untagged).toEqual([
      "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft work)",
      "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft work \\*)] Flags permitted.",
      "* 2 FETCH (FLAGS (\\Flagged \\Seen work))",
    ]);
  });

  it("exactly one session sees a new message as \\Recent", async () => {
    const a = t.c;
    const b = await t.connect();
    await a.cmd("SELECT INBOX");
    await b.cmd("SELECT INBOX");
    const other = await t.connect();
    await other.cmd(`APPEND INBOX {${MSG.length}+}\r\n${MSG}`);
    await a.cmd("NOOP");
    await b.cmd("NOOP");
    const ra = await a.cmd("FETCH 9 FLAGS");
    const rb = await b.cmd("FETCH 9 FLAGS");
    const recent = [...ra.untagged, ...rb.untagged].filter((l) => l.includes("FETCH") && l.includes("\\Recent"));
    expect(recent).toHaveLength(1);
  });

  it("messages APPENDed before anyone selects are \\Recent to the first read-write session; EXAMINE shows them without taking them", async () => {
    // imaptest's `select`, as Dovecot answers it (RFC 3501 §2.3.2)
    const a = t.c;
    await a.cmd("CREATE fresh");
    await a.cmd(`APPEND fresh {${MSG.length}+}\r\n${MSG}`);
    await a.cmd(`APPEND fresh {${MSG.length}+}\r\n${MSG}`);
    expect((await a.cmd("EXAMINE fresh")).untagged).toContain("* 2 RECENT");
    expect((await a.cmd("FETCH 1:* FLAGS")).untagged).toEqual(["* 1 FETCH (FLAGS (\\Recent))", "* 2 FETCH (FLAGS (\\Recent))"]);
    await a.cmd("CLOSE");
    expect((await a.cmd("STATUS fresh (MESSAGES RECENT)")).untagged).toEqual(["* STATUS fresh (MESSAGES 2 RECENT 2)"]);
    const b = await t.connect();
    expect((await b.cmd("SELECT fresh")).untagged).toContain("* 2 RECENT");
    expect((await b.cmd("SEARCH RECENT")).untagged).toEqual(["* SEARCH 1 2"]);
    expect((await a.cmd("STATUS fresh (RECENT)")).untagged).toEqual(["* STATUS fresh (RECENT 0)"]);
    expect((await a.cmd("SELECT fresh")).untagged).toContain("* 0 RECENT");
    expect((await a.cmd("SEARCH RECENT")).untagged).toEqual(["* SEARCH"]);
    // a message arriving while both have it selected: recent to exactly one of them
    const other = await t.connect();
    await other.cmd(`APPEND fresh {${MSG.length}+}\r\n${MSG}`);
    const seen = [...(await a.cmd("NOOP")).untagged, ...(await b.cmd("NOOP")).untagged];
    expect(seen.filter((l) => l === "* 3 EXISTS")).toHaveLength(2);
    // a had none recent and b two: one of them gets the third
    expect([["* 1 RECENT", "* 2 RECENT"], ["* 0 RECENT", "* 3 RECENT"]])
      .toContainEqual(seen.filter((l) => /^\* \d RECENT$/.test(l)).sort());
  });

  it("EXPUNGE is held back during FETCH, STORE, SEARCH and sent at NOOP", async () => {
    const a = t.c;
    const b = await t.connect();
    await a.cmd("SELECT INBOX");
    await b.cmd("SELECT INBOX");
    await a.cmd("STORE 3 +FLAGS.SILENT (\\Deleted)");
    expect((await a.cmd("EXPUNGE")).untagged).toEqual(["* 3 EXPUNGE"]);
    const f = await b.cmd("FETCH 1:* UID");
    expect(f.untagged.some((l) => l.includes("EXPUNGE"))).toBe(false);
    // seq 3 still names the expunged message for b: nothing is sent for it, and the answer is
    // Dovecot's, OK with [EXPUNGEISSUED] (RFC 2180 §4.1 leaves the choice; imaptest and
    // clients take a NO for a failed FETCH)
    expect(f.untagged.map((l) => l.split(" ")[1])).toEqual(["1", "2", "4", "5", "6", "7", "8"]);
    expect(f.tagged).toMatch(/^\S+ OK \[EXPUNGEISSUED\]/);
    // only the expunged message: the same
    const one = await b.cmd("FETCH 3 (FLAGS BODY.PEEK[])");
    expect(one.untagged).toEqual([]);
    expect(one.tagged).toMatch(/^\S+ OK \[EXPUNGEISSUED\]/);
    const s = await b.cmd("SEARCH ALL");
    expect(s.untagged).toEqual(["* SEARCH 1 2 4 5 6 7 8"]);
    // a STORE that names it changes the others and answers OK, as Dovecot's does
    const stg = await b.cmd("STORE 2:4 +FLAGS (\\Flagged)");
    expect(stg.untagged).toEqual(["* 2 FETCH (FLAGS (\\Flagged \\Seen))", "* 4 FETCH (FLAGS (\\Flagged \\Seen))"]);
    expect(stg.tagged).toMatch(/^\S+ OK /);
    expect((await b.cmd("STORE 3 +FLAGS.SILENT (\\Answered)")).tagged).toMatch(/^\S+ OK /);
    const st = await b.cmd("STORE 4 +FLAGS (\\Answered)");
    expect(st.untagged).toEqual(["* 4 FETCH (FLAGS (\\Answered \\Flagged \\Seen))"]);
    expect((await b.cmd("NOOP")).untagged).toEqual(["* 3 EXPUNGE"]);
    expect((await b.cmd("SEARCH ALL")).untagged).toEqual(["* SEARCH 1 2 3 4 5 6 7"]);
  });

  it("UID FETCH may send the EXPUNGE (before its tagged OK)", async () => {
    const a = t.c;
    const b = await t.connect();
    await a.cmd("SELECT INBOX");
    await b.cmd("SELECT INBOX");
    await a.cmd("UID MOVE 2 one");
    const f = await b.cmd("UID FETCH 1:* FLAGS");
    expect(f.untagged[f.untagged.length - 1]).toBe("* 2 EXPUNGE");
  });

  it("IDLE hears APPEND, STORE and EXPUNGE of another session at once; DONE ends it", async () => {
    const a = t.c;
    const b = await t.connect();
    await a.cmd("SELECT INBOX");
    await b.cmd("SELECT INBOX");
    const tag = b.nextTag();
    b.write(`${tag} IDLE\r\n`);
    expect(await b.next()).toBe("+ idling");
    await a.cmd(`APPEND INBOX {${MSG.length}+}\r\n${MSG}`);
    expect(await b.until(/EXISTS$/)).toEqual(["* 9 EXISTS"]);
    await a.cmd("STORE 2 +FLAGS (\\Answered)");
    expect((await b.until(/FETCH/)).pop()).toBe("* 2 FETCH (FLAGS (\\Answered \\Flagged \\Seen))");
    await a.cmd("STORE 1 +FLAGS.SILENT (\\Deleted)");
    await a.cmd("EXPUNGE");
    expect((await b.until(/EXPUNGE/)).pop()).toBe("* 1 EXPUNGE");
    b.write("DONE\r\n");
    expect((await b.reply(tag)).tagged).toBe(`${tag} OK Idle completed.`);
  });

  it("a tagged command during IDLE ends IDLE and runs", async () => {
    await t.c.cmd("SELECT INBOX");
    const tag = t.c.nextTag();
    t.c.write(`${tag} IDLE\r\n`);
    expect(await t.c.next()).toBe("+ idling");
    t.c.write("X1 NOOP\r\n");
    expect((await t.c.reply(tag)).tagged).toMatch(new RegExp(`^${tag} OK`));
    expect((await t.c.reply("X1")).tagged).toBe("X1 OK NOOP completed.");
  });

  it("nmh inc, mark and rmm reach a session in IDLE", async () => {
    await t.c.cmd("SELECT INBOX");
    const tag = t.c.nextTag();
    t.c.write(`${tag} IDLE\r\n`);
    expect(await t.c.next()).toBe("+ idling");
    const mbox = join(t.mail.home, "drop");
    writeFileSync(mbox, "From x@y.example Mon Jan  1 00:00:00 2024\nFrom: x@y.example\nSubject: by inc\n\nhi\n\n");
    nmh("inc", ["+inbox", "-file", mbox, "-truncate", "-silent"]);
    expect(await t.c.until(/EXISTS$/)).toContain("* 9 EXISTS");
    nmh("mark", ["+inbox", "1", "-sequence", "flagged", "-add"]);
    expect((await t.c.until(/FETCH/)).pop()).toBe("* 1 FETCH (FLAGS (\\Flagged \\Seen))");
    nmh("rmm", ["+inbox", "4"]);
    expect((await t.c.until(/EXPUNGE/)).pop()).toBe("* 4 EXPUNGE");
    t.c.write("DONE\r\n");
    expect((await t.c.reply(tag)).tagged).toBe(`${tag} OK Idle completed.`);
    const s = await t.c.cmd("UID SEARCH SUBJECT \"by inc\"");
    expect(s.untagged).toEqual(["* SEARCH 9"]);
  });
});
