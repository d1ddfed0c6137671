// OBJECTID (RFC 8474) and SAVEDATE (RFC 8514) on real MH folders: the ids follow a message
// through COPY, MOVE, nmh's refile and `folder -pack`; MAILBOXID survives RENAME and is new for
// a re-created mailbox; the save date is when the message came into the folder, not its date.
import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { useServer } from "./setup.js";

const t = useServer();
const nmh = (cmd: string, ...args: string[]) =>
  execFileSync(join("/usr/bin/mh", cmd), args, { env: { ...process.env, MH: `${t.mail.home}/.mh_profile` }, encoding: "utf8" });

const OBJECTID = /^[A-Za-z0-9_-]{1,255}$/;
/** uid → [EMAILID, THREADID] of the selected mailbox */
async function ids(): Promise<Map<number, [string, string]>> {
  const r = await t.c.cmd("UID FETCH 1:* (EMAILID THREADID)");
  const out = new Map<number, [string, string]>();
  for (const l of r.untagged) {
    const m = /UID (\d+)/.exec(l);
    const e = /EMAILID \(([^)]*)\)/.exec(l);
    const th = /THREADID \(([^)]*)\)/.exec(l);
    if (m && e && th) out.set(Number(m[1]), [e[1], th[1]]);
  }
  return out;
}
const mailboxIdOf = async (name: string) => /MAILBOXID \(([^)]+)\)/.exec((await t.c.cmd(`STATUS ${name} (MAILBOXID)`)).untagged[0])![1];
const appendLine = (msg: string, date = "") => `APPEND INBOX ${date}{${Buffer.byteLength(msg)}+}\r\n${msg}`;

describe("OBJECTID", () => {
  it("is advertised; SELECT, STATUS and CREATE tell the mailbox's id; RENAME keeps it, a new mailbox of the same name gets another", async () => {
    expect((await t.c.cmd("CAPABILITY")).untagged[0].split(" ")).toContain("OBJECTID");
    const sel = await t.c.cmd("SELECT INBOX");
    const inSelect = sel.untagged.map((l) => /^\* OK \[MAILBOXID \(([^)]+)\)\]/.exec(l)?.[1]).find(Boolean);
    expect(inSelect).toMatch(OBJECTID);
    expect(await mailboxIdOf("INBOX")).toBe(inSelect);
    const created = await t.c.cmd("CREATE projects");
    const id = /^\S+ OK \[MAILBOXID \(([^)]+)\)\]/.exec(created.tagged)?.[1];
    expect(id).toMatch(OBJECTID);
    expect(id).not.toBe(inSelect);
    expect(await mailboxIdOf("projects")).toBe(id);
    expect((await t.c.cmd("RENAME projects archive")).tagged).toMatch(/OK/);
    expect(await mailboxIdOf("archive")).toBe(id);
    expect((await t.c.cmd("DELETE archive")).tagged).toMatch(/OK/);
    const again = /MAILBOXID \(([^)]+)\)/.exec((await t.c.cmd("CREATE archive")).tagged)![1];
    expect(again).not.toBe(id);
    expect((await t.c.cmd("STATUS INBOX (MESSAGES MAILBOXID)")).untagged[0]).toBe(`* STATUS INBOX (MESSAGES 8 MAILBOXID (${inSelect}))`);
  });

  it("EMAILID is the message's: distinct messages differ, COPY, MOVE, refile and folder -pack keep it", async () => {
    await t.c.cmd("SELECT INBOX");
    const before = await ids();
    expect(before.size).toBe(8);
    const emails = [...before.values()].map(([e]) => e);
    for (const e of emails) expect(e).toMatch(OBJECTID);
    expect(new Set(emails).size).toBe(8);
    for (const [, th] of before.values()) expect(th).toMatch(OBJECTID);
    for (const [e, th] of before.values()) expect(e).not.toBe(th);

    // COPY and MOVE (RFC 8474 §5.1: the COPYUID pairs keep the id)
    expect((await t.c.cmd("UID COPY 1 one")).tagged).toMatch(/COPYUID/);
    expect((await t.c.cmd("UID MOVE 2 one")).tagged).toMatch(/OK/);
    // nmh refile of message 3 into +one, then a pack of the inbox (renumbers 4.. to 1..)
    nmh("refile", "3", "+one", "-src", "+inbox");
    nmh("folder", "+inbox", "-pack");
    await t.c.cmd("NOOP");
    const after = await ids();
    for (const [uid, [e]] of after) expect(e).toBe(before.get(uid)![0]);
    expect([...after.keys()]).toEqual([1, 4, 5, 6, 7, 8]); // 2 moved, 3 refiled

    await t.c.cmd("SELECT one");
    const inOne = new Set([...(await ids()).values()].map(([e]) => e));
    for (const uid of [1, 2, 3]) expect(inOne.has(before.get(uid)![0])).toBe(true);

    // SEARCH EMAILID finds the copy in this mailbox
    const r = await t.c.cmd(`UID SEARCH EMAILID ${before.get(2)![0]}`);
    expect(r.untagged[0]).toMatch(/^\* SEARCH \d+$/);
    expect((await t.c.cmd("UID SEARCH EMAILID Mnothing")).untagged[0]).toBe("* SEARCH");
    expect((await t.c.cmd("SEARCH EMAILID (bad)")).tagged).toMatch(/BAD/);
  });

  it("THREADID groups a reply with the message it answers, as in the RFC's example (§5.2)", async () => {
    const a = "Subject: Message A\r\nMessage-ID: <fake.1521475657.54797@example.com>\r\n\r\nA\r\n";
    const b = "Subject: Re: Message A\r\nMessage-ID: <fake.1521475657.21213@example.org>\r\nReferences: <fake.1521475657.54797@example.com>\r\n\r\nB\r\n";
    const c = "Subject: Message C\r\nMessage-ID: <fake.1521475657.60280@example.com>\r\n\r\nC\r\n";
    for (const m of [a, b, c]) expect((await t.c.cmd(appendLine(m))).tagged).toMatch(/APPENDUID/);
    await t.c.cmd("SELECT INBOX");
    const all = await ids();
    const [ta, tb, tc] = [9, 10, 11].map((u) => all.get(u)![1]);
    expect(tb).toBe(ta);
    expect(tc).not.toBe(ta);
    const r = await t.c.cmd(`UID SEARCH THREADID ${ta}`);
    expect(r.untagged[0]).toBe("* SEARCH 9 10");
    // the same bytes appended again: the same EMAILID (allowed, §5.1), hence the same THREADID
    await t.c.cmd(appendLine(c));
    const again = (await ids()).get(12)!;
    expect(again).toEqual(all.get(11));
  });
});

describe("SAVEDATE", () => {
  it("is when the message came into the mailbox; SEARCH SAVED* use it, not the internal date", async () => {
    expect((await t.c.cmd("CAPABILITY")).untagged[0].split(" ")).toContain("SAVEDATE");
    const msg = "Subject: old mail\r\n\r\nfrom 2001\r\n";
    expect((await t.c.cmd(appendLine(msg, '"17-Jul-2001 02:44:25 -0700" '))).tagged).toMatch(/APPENDUID \d+ 9\]/);
    await t.c.cmd("SELECT INBOX");
    const f = (await t.c.cmd("UID FETCH 9 (INTERNALDATE SAVEDATE)")).untagged[0];
    expect(f).toContain('INTERNALDATE "17-Jul-2001');
    const saved = /SAVEDATE "([^"]+)"/.exec(f)![1];
    const today = new Date();
    const dd = String(today.getUTCDate()).padStart(2, "0");
    const mon = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][today.getUTCMonth()];
    expect(saved.startsWith(`${dd}-${mon}-${today.getUTCFullYear()}`)).toBe(true);
    const day = `${dd}-${mon}-${today.getUTCFullYear()}`;
    expect((await t.c.cmd(`UID SEARCH SAVEDON ${day}`)).untagged[0]).toMatch(/ 9$/);
    expect((await t.c.cmd(`UID SEARCH SAVEDBEFORE ${day}`)).untagged[0]).not.toMatch(/ 9\b/);
    expect((await t.c.cmd("UID SEARCH SAVEDSINCE 1-Jan-2002 SENTBEFORE 1-Jan-1990")).untagged[0]).toBe("* SEARCH");
    expect((await t.c.cmd("UID SEARCH SINCE 1-Jan-2002 UID 9")).untagged[0]).toBe("* SEARCH");
    expect((await t.c.cmd("UID SEARCH SAVEDSINCE 1-Jan-2002 UID 9")).untagged[0]).toBe("* SEARCH 9");
    expect((await t.c.cmd("SEARCH SAVEDATESUPPORTED")).untagged[0]).toBe("* SEARCH 1 2 3 4 5 6 7 8 9");

    // a renumbering (folder -pack after an rmm) keeps it; a COPY a second later gets its own
    nmh("rmm", "1", "+inbox");
    nmh("folder", "+inbox", "-pack");
    await t.c.cmd("NOOP");
    expect((await t.c.cmd("UID FETCH 9 (SAVEDATE)")).untagged[0]).toContain(`SAVEDATE "${saved}"`);
    await new Promise((r) => setTimeout(r, 1100));
    await t.c.cmd("UID COPY 9 one");
    await t.c.cmd("SELECT one");
    const copied = (await t.c.cmd("FETCH * (SAVEDATE INTERNALDATE)")).untagged[0];
    expect(copied).toContain('INTERNALDATE "17-Jul-2001');
    expect(/SAVEDATE "([^"]+)"/.exec(copied)![1]).not.toBe(saved);
  });
});
