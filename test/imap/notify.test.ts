// NOTIFY (RFC 5465) over a real socket: nmh (inc, rmm, mark, folder -create, rmf) and other
// sessions change the user's folders, and the NOTIFY client hears of it without sending a
// command; the syntax and the refusals (BADEVENT, NOTIFICATIONOVERFLOW, BAD) leave the
// connection usable.
import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { useServer } from "./setup.js";
import { makeMail, RawClient, startServer } from "./harness.js";

const t = useServer();

function nmh(cmd: string, args: string[], home = t.mail.home): string {
  return execFileSync(`/usr/bin/mh/${cmd}`, args, {
    env: { ...process.env, HOME: home, MH: join(home, ".mh_profile") },
    encoding: "utf8",
  });
}

/** inc's one message from a mail drop into `folder`. */
function inc(folder: string, subject: string, home = t.mail.home): void {
  const drop = join(home, "drop");
  writeFileSync(drop, `From x@y.example Mon Jan  1 00:00:00 2024\nFrom: x@y.example\nTo: me@y.example\nSubject: ${subject}\n\nhi\n\n`);
  nmh("inc", [`+${folder}`, "-file", drop, "-truncate", "-silent"], home);
}

const MSG = "From: a@b.example\r\nTo: c@d.example\r\nSubject: pushed\r\n\r\nbody\r\n";

/** The number in `* STATUS name (... ITEM n ...)`. */
function item(line: string, name: string): number {
  const m = new RegExp(`\\b${name} (\\d+)`).exec(line);
  if (!m) throw new Error(`no ${name} in ${line}`);
  return Number(m[1]);
}

/** Another session of the same user, with `box` selected. */
async function otherOn(box: string): Promise<RawClient> {
  const o = await t.connect();
  await o.cmd(`SELECT ${box}`);
  return o;
}

/** Nothing more arrives within `ms` (for what must not be told). */
async function quiet(c: RawClient, ms = 400): Promise<string[]> {
  await new Promise((r) => setTimeout(r, ms));
  return c.drain();
}

describe("NOTIFY syntax and refusals", () => {
  it("is advertised, and SET STATUS answers STATUS for each watched mailbox before its OK", async () => {
    const caps = (await t.c.cmd("CAPABILITY")).untagged[0];
    expect(caps.split(" ")).toContain("NOTIFY");
    const st = await t.c.cmd("STATUS one (MESSAGES UIDNEXT UIDVALIDITY UNSEEN)");
    const r = await t.c.cmd("NOTIFY SET STATUS (mailboxes one (MessageNew MessageExpunge))");
    expect(r.tagged).toMatch(/^T\d+ OK /);
    // §3.1's least (MESSAGES UIDNEXT UIDVALIDITY) and UNSEEN, as Dovecot answers
    expect(r.untagged).toEqual([st.untagged[0]]);
    expect((await t.c.cmd("NOTIFY SET STATUS (mailboxes one (MessageExpunge))")).untagged).toEqual([st.untagged[0]]);
    // FlagChange: HIGHESTMODSEQ too (§3.1, as imaptest checks)
    const modseq = item((await t.c.cmd("STATUS one (HIGHESTMODSEQ)")).untagged[0], "HIGHESTMODSEQ");
    expect((await t.c.cmd("NOTIFY SET STATUS (mailboxes one (FlagChange))")).untagged)
      .toEqual([st.untagged[0].replace(/\)$/, ` HIGHESTMODSEQ ${modseq})`)]);
    // without STATUS: nothing
    expect((await t.c.cmd("NOTIFY SET (mailboxes one (MessageNew MessageExpunge FlagChange))")).untagged).toEqual([]);
    expect((await t.c.cmd("NOTIFY NONE")).tagged).toMatch(/^T\d+ OK /);
  });

  it("refuses what it does not support with a clear NO or BAD, and the connection goes on", async () => {
    const badevent = await t.c.cmd("NOTIFY SET (personal (MessageNew MessageExpunge AnnotationChange))");
    expect(badevent.tagged).toMatch(
      /^T\d+ NO \[BADEVENT \(MessageNew MessageExpunge FlagChange MailboxName SubscriptionChange MailboxMetadataChange ServerMetadataChange\)\] Unsupported NOTIFY event: AnnotationChange$/);
    expect((await t.c.cmd("NOTIFY SET (personal (Frobnicate))")).tagged).toMatch(/NO \[BADEVENT /);
    const refusals = [
      "NOTIFY SET (selected (MailboxName))",
      "NOTIFY SET (selected (MessageNew MessageExpunge)) (selected-delayed (MessageNew MessageExpunge))",
      "NOTIFY SET (personal (MessageNew (UID) MessageExpunge))",
      "NOTIFY SET (everything (MessageNew))",
      "NOTIFY SET",
      "NOTIFY FOO",
      "NOTIFY SET (personal)",
    ];
    for (const cmd of refusals) {
      const r = await t.c.cmd(cmd);
      expect(r.tagged, cmd).toMatch(/^T\d+ BAD .+/);
    }
    expect((await t.c.cmd("NOOP")).tagged).toMatch(/^T\d+ OK /);
  });

  it("names a mailbox that does not exist without failing (§3.1: ignored)", async () => {
    const r = await t.c.cmd("NOTIFY SET STATUS (mailboxes (nosuch one) (MessageNew MessageExpunge))");
    expect(r.tagged).toMatch(/^T\d+ OK /);
    expect(r.untagged).toHaveLength(1);
    expect(r.untagged[0]).toMatch(/^\* STATUS one /);
  });
});

describe("NOTIFY: other mailboxes, told between commands", () => {
  it("inc, rmm and mark by nmh in a folder not selected reach the client as STATUS", async () => {
    await t.c.cmd("SELECT INBOX");
    const before = (await t.c.cmd("STATUS one (MESSAGES UIDNEXT UNSEEN)")).untagged[0];
    await t.c.cmd("NOTIFY SET (personal (MessageNew MessageExpunge FlagChange))");
    inc("one", "to one");
    const added = await t.c.next();
    expect(added).toMatch(/^\* STATUS one \(MESSAGES \d+ UIDNEXT \d+ UIDVALIDITY \d+ UNSEEN \d+\)$/);
    expect(item(added, "MESSAGES")).toBe(item(before, "MESSAGES") + 1);
    expect(item(added, "UIDNEXT")).toBe(item(before, "UIDNEXT") + 1);
    nmh("rmm", ["+one", "first"]);
    const removed = await t.c.next();
    expect(item(removed, "MESSAGES")).toBe(item(before, "MESSAGES"));
    // the profile names no Unseen-Sequence, so inc left the message seen: mark makes it unseen
    nmh("mark", ["+one", "last", "-sequence", "unseen", "-add"]);
    const marked = await t.c.next();
    expect(item(marked, "UNSEEN")).toBe(item(added, "UNSEEN") + 1);
    expect(item(marked, "MESSAGES")).toBe(item(removed, "MESSAGES"));
    // a flag change that leaves UNSEEN as it was tells nothing without CONDSTORE (§5.1)
    nmh("mark", ["+one", "last", "-sequence", "flagged", "-add"]);
    expect(await quiet(t.c, 1500)).toEqual([]);
  });

  it("under CONDSTORE a flag change is told with HIGHESTMODSEQ", async () => {
    await t.c.cmd("ENABLE CONDSTORE");
    await t.c.cmd("NOTIFY SET (mailboxes one (MessageNew MessageExpunge FlagChange))");
    const other = await otherOn("one");
    await other.cmd("STORE 1 +FLAGS (\\Flagged)");
    const l = await t.c.next();
    expect(l).toMatch(/^\* STATUS one \(MESSAGES \d+ UIDNEXT \d+ UIDVALIDITY \d+ UNSEEN \d+ HIGHESTMODSEQ \d+\)$/);
  });

  it("another session's APPEND is told; the selected mailbox gets no STATUS (SELECTED decides)", async () => {
    await t.c.cmd("SELECT one");
    await t.c.cmd("NOTIFY SET (personal (MessageNew MessageExpunge))");
    const other = await t.connect();
    await other.cmd(`APPEND one {${MSG.length}+}\r\n${MSG}`);
    await other.cmd(`APPEND INBOX {${MSG.length}+}\r\n${MSG}`);
    expect(await t.c.next()).toMatch(/^\* STATUS INBOX \(MESSAGES 9 /);
    expect(await quiet(t.c)).toEqual([]);
  });

  it("SUBSCRIBED follows the subscriptions as they change (§6.4)", async () => {
    await t.c.cmd("NOTIFY SET (subscribed (MessageNew MessageExpunge))");
    const other = await t.connect();
    await other.cmd(`APPEND one {${MSG.length}+}\r\n${MSG}`);
    expect(await quiet(t.c)).toEqual([]);
    await other.cmd("SUBSCRIBE one");
    await new Promise((r) => setTimeout(r, 1000)); // the watched set follows the subscription
    await other.cmd(`APPEND one {${MSG.length}+}\r\n${MSG}`);
    expect(await t.c.next()).toMatch(/^\* STATUS one \(MESSAGES \d+ UIDNEXT \d+ UIDVALIDITY \d+\)$/);
  });

  it("in IDLE, other folders' STATUS comes as it does outside it", async () => {
    await t.c.cmd("SELECT INBOX");
    await t.c.cmd("NOTIFY SET (selected (MessageNew MessageExpunge)) (mailboxes one (MessageNew MessageExpunge))");
    const tag = t.c.nextTag();
    t.c.write(`${tag} IDLE\r\n`);
    expect(await t.c.next()).toBe("+ idling");
    inc("one", "while idle");
    expect(await t.c.next()).toMatch(/^\* STATUS one \(MESSAGES /);
    inc("inbox", "while idle");
    expect(await t.c.next()).toBe("* 9 EXISTS");
    t.c.write("DONE\r\n");
    expect((await t.c.reply(tag)).tagged).toBe(`${tag} OK Idle completed.`);
  });

  it("SUBTREE and MAILBOXES watch only what they name", async () => {
    await t.c.cmd("CREATE lists/a");
    await t.c.cmd("CREATE lists/b");
    await t.c.cmd("NOTIFY SET (subtree lists (MessageNew MessageExpunge)) (mailboxes INBOX (MessageNew MessageExpunge))");
    const other = await t.connect();
    for (const box of ["one", "lists/b", "inbox", "lists/a"]) await other.cmd(`APPEND ${box} {${MSG.length}+}\r\n${MSG}`);
    const got = [await t.c.next(), await t.c.next(), await t.c.next()].map((l) => l.split(" ")[2]);
    expect(got).toEqual(["lists/b", "INBOX", "lists/a"]);
    expect(await quiet(t.c)).toEqual([]);
  });
});

describe("NOTIFY: the selected mailbox", () => {
  it("SELECTED: EXISTS and the asked fetch-atts as the message arrives; EXPUNGE at once; not for its own APPEND", async () => {
    await t.c.cmd("SELECT INBOX");
    await t.c.cmd("NOTIFY SET (selected (MessageNew (UID BODY.PEEK[HEADER.FIELDS (From To)]) MessageExpunge FlagChange))");
    const other = await t.connect();
    await other.cmd(`APPEND INBOX {${MSG.length}+}\r\n${MSG}`);
    expect(await t.c.next()).toBe("* 9 EXISTS");
    expect(await t.c.next()).toMatch(/^\* 9 RECENT$|^\* \d RECENT$/);
    const header = "From: a@b.example\r\nTo: c@d.example\r\n\r\n";
    expect(await t.c.next()).toBe(`* 9 FETCH (UID 9 BODY[HEADER.FIELDS (From To)] {${header.length}}\r\n${header})`);
    await other.cmd("SELECT INBOX");
    await other.cmd("STORE 9 +FLAGS (\\Flagged)");
    // FlagChange names the UID (§5.1)
    expect(await t.c.next()).toBe("* 9 FETCH (UID 9 FLAGS (\\Flagged \\Recent))");
    await other.cmd("STORE 2 +FLAGS (\\Deleted)");
    expect(await t.c.next()).toMatch(/^\* 2 FETCH \(UID 2 FLAGS /);
    await other.cmd("EXPUNGE");
    expect(await t.c.next()).toBe("* 2 EXPUNGE");
    // its own APPEND: EXISTS, but no fetch-atts FETCH
    const own = await t.c.cmd(`APPEND INBOX {${MSG.length}+}\r\n${MSG}`);
    expect(own.untagged.filter((l) => l.includes("FETCH"))).toEqual([]);
    expect(own.untagged).toContain("* 9 EXISTS");
  });

  it("a pushed FETCH of a large message never lands inside the answers to pipelined commands", async () => {
    await t.c.cmd("SELECT INBOX");
    await t.c.cmd("NOTIFY SET (selected (MessageNew (UID BODY.PEEK[]) MessageExpunge))");
    const body = "From: a@b.example\r\nSubject: big\r\n\r\n" + ("y".repeat(76) + "\r\n").repeat(4000);
    const other = await t.connect();
    const tags: string[] = [];
    const appends: string[] = [];
    for (let i = 0; i < 4; i++) {
      const a = other.nextTag();
      appends.push(a);
      other.write(`${a} APPEND INBOX {${body.length}+}\r\n${body}\r\n`);
      for (let k = 0; k < 5; k++) {
        const tag = t.c.nextTag();
        tags.push(tag);
        t.c.write(`${tag} UID FETCH 1:* (RFC822.SIZE BODY.PEEK[HEADER])\r\n`);
      }
    }
    const seen: string[] = [];
    for (const tag of tags) seen.push(...(await t.c.reply(tag)).untagged);
    for (const a of appends) expect((await other.reply(a)).tagged).toMatch(/ OK /);
    // the four pushes come during the commands' answers or after them, each whole
    const isPush = (l: string) => /^\* \d+ FETCH \(UID \d+ BODY\[\]/.test(l);
    while (seen.filter(isPush).length < 4) seen.push(await t.c.next(20_000));
    const pushes = seen.filter(isPush);
    expect(pushes.map((l) => Number(/^\* (\d+)/.exec(l)![1]))).toEqual([9, 10, 11, 12]);
    for (const l of pushes) expect(l.endsWith(`{${body.length}}\r\n${body})`)).toBe(true);
    // every item is one whole response: nothing written into another's literal
    for (const l of seen) expect(l).toMatch(/^\* (\d+ EXISTS|\d+ RECENT|\d+ FETCH \((UID|RFC822\.SIZE) [^]*\))$/);
  });

  it("SELECTED-DELAYED keeps EXPUNGE for a command that allows it; EXISTS comes at once", async () => {
    await t.c.cmd("SELECT INBOX");
    await t.c.cmd("NOTIFY SET (selected-delayed (MessageNew MessageExpunge))");
    const other = await otherOn("INBOX");
    await other.cmd("STORE 3 +FLAGS (\\Deleted)");
    await other.cmd("EXPUNGE");
    await other.cmd(`APPEND INBOX {${MSG.length}+}\r\n${MSG}`);
    const pushed = await t.c.until(/EXISTS$/);
    expect(pushed.some((l) => l.endsWith("EXPUNGE"))).toBe(false);
    // FETCH may not carry it either (RFC 3501 §7.4.1), NOOP does
    expect((await t.c.cmd("FETCH 1 UID")).untagged.some((l) => l.endsWith("EXPUNGE"))).toBe(false);
    expect((await t.c.cmd("NOOP")).untagged).toContain("* 3 EXPUNGE");
  });

  it("SELECTED without FlagChange pushes no flag FETCH between commands; the next command tells it", async () => {
    await t.c.cmd("SELECT INBOX");
    await t.c.cmd("NOTIFY SET (selected (MessageNew MessageExpunge))");
    const other = await otherOn("INBOX");
    await other.cmd("STORE 4 +FLAGS (\\Flagged)");
    await other.cmd("STORE 5 +FLAGS (\\Deleted)");
    await other.cmd("EXPUNGE");
    // the expunge is a message event asked for; the flag changes of 4 and 5 are not
    expect(await t.c.next()).toBe("* 5 EXPUNGE");
    expect(await quiet(t.c)).toEqual([]);
    expect((await t.c.cmd("NOOP")).untagged).toEqual(["* 4 FETCH (FLAGS (\\Flagged \\Seen))"]);
  });

  it("without NOTIFY's SELECTED nothing is pushed between commands; updates still end each command", async () => {
    await t.c.cmd("SELECT INBOX");
    await t.c.cmd("NOTIFY SET (personal (MailboxName))");
    const other = await t.connect();
    await other.cmd(`APPEND INBOX {${MSG.length}+}\r\n${MSG}`);
    expect(await quiet(t.c)).toEqual([]);
    expect((await t.c.cmd("NOOP")).untagged).toContain("* 9 EXISTS");
  });
});

describe("NOTIFY: folder names and subscriptions", () => {
  it("nmh's folder -create and rmf are told as LIST, the parent too", async () => {
    await t.c.cmd("NOTIFY SET (personal (MailboxName))");
    nmh("folder", ["-create", "+fresh"]);
    expect(await t.c.next()).toBe('* LIST (\\HasNoChildren) "/" fresh');
    nmh("folder", ["-create", "+one/sub"]);
    const created = [await t.c.next(), await t.c.next()];
    expect(created).toEqual(['* LIST (\\HasNoChildren) "/" one/sub', '* LIST (\\HasChildren) "/" one']);
    nmh("rmf", ["+fresh", "-nointeractive"]);
    expect(await t.c.next()).toBe('* LIST (\\NonExistent) "/" fresh');
  });

  it("another session's CREATE, RENAME (OLDNAME), DELETE and SUBSCRIBE are told; its own are not", async () => {
    await t.c.cmd("NOTIFY SET (personal (MailboxName SubscriptionChange))");
    const other = await t.connect();
    await other.cmd("CREATE made");
    expect(await t.c.next()).toBe('* LIST (\\HasNoChildren) "/" made');
    await other.cmd("RENAME made renamed");
    expect(await t.c.next()).toBe('* LIST (\\HasNoChildren) "/" renamed ("OLDNAME" (made))');
    await other.cmd("SUBSCRIBE renamed");
    expect(await t.c.next()).toBe('* LIST (\\HasNoChildren \\Subscribed) "/" renamed');
    await other.cmd("UNSUBSCRIBE renamed");
    expect(await t.c.next()).toBe('* LIST (\\HasNoChildren) "/" renamed');
    await other.cmd("DELETE renamed");
    expect(await t.c.next()).toBe('* LIST (\\NonExistent) "/" renamed');
    const own = await t.c.cmd("CREATE mine");
    expect(own.untagged).toEqual([]);
    expect((await t.c.cmd("SUBSCRIBE mine")).untagged).toEqual([]);
    expect(await quiet(t.c)).toEqual([]);
  });

  it("a folder created under PERSONAL is watched from then on", async () => {
    await t.c.cmd("NOTIFY SET (personal (MessageNew MessageExpunge))");
    nmh("folder", ["-create", "+later"]);
    // the new folder joins the watched set once the tree watch has seen it
    await new Promise((r) => setTimeout(r, 1000));
    inc("later", "to later");
    expect(await t.c.next()).toMatch(/^\* STATUS later \(MESSAGES 1 UIDNEXT 2 UIDVALIDITY \d+\)$/);
  });
});

describe("NOTIFY: the limit on watched mailboxes", () => {
  it("OK [NOTIFICATIONOVERFLOW] and nothing more when the watched set grows past it; NO [NOTIFICATIONOVERFLOW] for a SET past it", async () => {
    const mail = makeMail();
    // the fixture's personal namespace: INBOX, one, problems and the five special-use folders
    const srv = await startServer(mail.root, { notifyMaxMailboxes: 8 });
    try {
      const c = await RawClient.connect(srv.port);
      expect((await c.cmd('LIST "" "*"')).untagged).toHaveLength(8);
      expect((await c.cmd("NOTIFY SET (personal (MessageNew MessageExpunge))")).tagged).toMatch(/^T\d+ OK /);
      nmh("folder", ["-create", "+toomany"], mail.home);
      expect(await c.next()).toBe(
        "* OK [NOTIFICATIONOVERFLOW] NOTIFY stopped: it would now watch 9 mailboxes for message events, more than the limit of 8.");
      inc("toomany", "after overflow", mail.home);
      inc("one", "after overflow", mail.home);
      expect(await quiet(c, 1500)).toEqual([]);
      expect((await c.cmd("NOTIFY SET (personal (MessageNew MessageExpunge))")).tagged).toMatch(
        /^T\d+ NO \[NOTIFICATIONOVERFLOW\] NOTIFY would watch 9 mailboxes for message events; at most 8 can be watched\./);
      // MailboxName alone watches no folder's messages; a narrower set fits
      expect((await c.cmd("NOTIFY SET (personal (MailboxName))")).tagged).toMatch(/^T\d+ OK /);
      expect((await c.cmd("NOTIFY SET (subtree one (MessageNew MessageExpunge)) (personal (MailboxName))")).tagged)
        .toMatch(/^T\d+ OK /);
      c.close();
    } finally {
      await srv.close();
      mail.cleanup();
    }
  });
});
