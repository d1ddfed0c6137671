// METADATA (RFC 5464) through the real engine on a real MH tree and a real state database:
// every example of the RFC, the limits, binary values, bad syntax, and annotations following
// RENAME and going with DELETE (IMAP's and nmh's rmf).
import { describe, expect, it } from "vitest";
import { renameSync } from "node:fs";
import { useServer } from "./setup.js";
import { RawClient, startServer } from "./harness.js";
import { nmh } from "./nmh.js";

const ctx = useServer();
const OK = /^\S+ OK /;

/** A SETMETADATA that must succeed. */
async function set(c: RawClient, args: string): Promise<void> {
  const r = await c.cmd(`SETMETADATA ${args}`);
  expect(r.tagged, args).toMatch(OK);
}

async function get(c: RawClient, args: string): Promise<string[]> {
  const r = await c.cmd(`GETMETADATA ${args}`);
  expect(r.tagged, args).toMatch(OK);
  return r.untagged;
}

describe("METADATA: RFC 5464's examples", () => {
  it("advertises METADATA (server and mailbox annotations) and XLIST", async () => {
    const caps = (await ctx.c.cmd("CAPABILITY")).untagged[0].split(" ");
    expect(caps).toEqual(expect.arrayContaining(["METADATA", "XLIST"]));
    expect(caps).not.toContain("METADATA-SERVER"); // implied by METADATA (§1)
  });

  it("§4.2: server and mailbox entries, one or several, in a list or (§4.4.1) bare", async () => {
    const { c } = ctx;
    await set(c, `"" (/shared/comment "Shared comment")`);
    expect(await get(c, `"" /shared/comment`)).toEqual(['* METADATA "" (/shared/comment "Shared comment")']);
    await set(c, `INBOX (/private/comment "My own comment")`);
    expect(await get(c, `"INBOX" /private/comment`)).toEqual(['* METADATA INBOX (/private/comment "My own comment")']);
    await set(c, `INBOX (/shared/comment "Shared comment")`);
    expect(await get(c, `"INBOX" (/shared/comment /private/comment)`))
      .toEqual(['* METADATA INBOX (/shared/comment "Shared comment" /private/comment "My own comment")']);
    expect(await get(c, `"INBOX" /private/comment /shared/comment`))
      .toEqual(['* METADATA INBOX (/private/comment "My own comment" /shared/comment "Shared comment")']);
    // the server's /shared/comment is not INBOX's and the other way round
    await set(c, `"" (/shared/comment "My comment")`);
    expect(await get(c, `"" /shared/comment`)).toEqual(['* METADATA "" (/shared/comment "My comment")']);
    expect(await get(c, `"" /private/comment`)).toEqual(['* METADATA "" (/private/comment NIL)']);
  });

  it("§4.2.1: MAXSIZE leaves out larger values and says the largest in [METADATA LONGENTRIES]", async () => {
    const { c } = ctx;
    await set(c, `INBOX (/shared/comment {2199+}\r\n${"s".repeat(2199)} /private/comment "My own comment")`);
    const r = await c.cmd(`GETMETADATA "INBOX" (MAXSIZE 1024) (/shared/comment /private/comment)`);
    expect(r.untagged).toEqual(['* METADATA INBOX (/private/comment "My own comment")']);
    expect(r.tagged).toMatch(/^\S+ OK \[METADATA LONGENTRIES 2199\] /);
    // nothing small enough: no METADATA response at all
    const none = await c.cmd(`GETMETADATA INBOX (MAXSIZE 10) /shared/comment`);
    expect(none.untagged).toEqual([]);
    expect(none.tagged).toMatch(/^\S+ OK \[METADATA LONGENTRIES 2199\] /);
    // a value of exactly MAXSIZE octets is returned
    expect((await c.cmd(`GETMETADATA INBOX (MAXSIZE 2199) /shared/comment`)).tagged).toMatch(/^\S+ OK Getmetadata/);
  });

  it("§4.2.2: DEPTH 0, 1 and infinity (the entry itself only if it exists)", async () => {
    const { c } = ctx;
    await set(c, `INBOX (/private/filters/values/small "SMALLER 5000" /private/filters/values/boss "FROM \\"boss@example.com\\"")`);
    await set(c, `INBOX (/private/filters/values/boss/deeper "x")`);
    expect(await get(c, `"INBOX" (DEPTH 1) (/private/filters/values)`)).toEqual([
      '* METADATA INBOX (/private/filters/values/boss "FROM \\"boss@example.com\\"" ' +
        '/private/filters/values/small "SMALLER 5000")',
    ]);
    expect(await get(c, `INBOX (DEPTH infinity) /private/filters`)).toEqual([
      '* METADATA INBOX (/private/filters/values/boss "FROM \\"boss@example.com\\"" ' +
        '/private/filters/values/boss/deeper "x" /private/filters/values/small "SMALLER 5000")',
    ]);
    expect(await get(c, `INBOX (DEPTH 0) /private/filters/values`)).toEqual(['* METADATA INBOX (/private/filters/values NIL)']);
    // with DEPTH only entries that exist are returned (§4.2.2, as Dovecot): none, no response
    expect(await get(c, `INBOX (DEPTH 1) /private/nothing`)).toEqual([]);
    // the ABNF's place for the options (before the mailbox) is taken as well as the examples'
    expect(await get(c, `(DEPTH 1) INBOX /private/filters/values`)).toEqual(await get(c, `INBOX (DEPTH 1) /private/filters/values`));
    expect((await c.cmd(`GETMETADATA (DEPTH 1) INBOX (DEPTH 0) /private/filters`)).tagged).toMatch(/^\S+ BAD /);
    // options combine; a scope alone is a root to look below
    const r = await c.cmd(`GETMETADATA INBOX (DEPTH infinity MAXSIZE 5) /private`);
    expect(r.untagged).toEqual(['* METADATA INBOX (/private/filters/values/boss/deeper "x")']);
    expect(r.tagged).toMatch(/^\S+ OK \[METADATA LONGENTRIES 23\] /);
    // "/private/filters/valuesX" is not below "/private/filters/values"
    await set(c, `INBOX (/private/filters/valuesx "no")`);
    expect((await get(c, `INBOX (DEPTH 1) /private/filters/values`))[0]).not.toContain("valuesx");
  });

  it("§4.3: a multi-line literal value, NIL removes, several at once", async () => {
    const { c } = ctx;
    const tag = c.nextTag();
    c.write(`${tag} SETMETADATA INBOX (/private/comment {33}\r\n`);
    expect(await c.next()).toMatch(/^\+ /);
    c.write("My new comment across\r\ntwo lines.)\r\n");
    expect((await c.reply(tag)).tagged).toMatch(OK);
    expect(await get(c, "INBOX /private/comment"))
      .toEqual(["* METADATA INBOX (/private/comment {33}\r\nMy new comment across\r\ntwo lines.)"]);
    await set(c, "INBOX (/private/comment NIL)");
    expect(await get(c, "INBOX /private/comment")).toEqual(["* METADATA INBOX (/private/comment NIL)"]);
    await set(c, `INBOX (/private/comment "My new comment" /shared/comment "This one is for you!")`);
    expect(await get(c, "INBOX (/private/comment /shared/comment)"))
      .toEqual(['* METADATA INBOX (/private/comment "My new comment" /shared/comment "This one is for you!")']);
    // removing what is not there is no error
    await set(c, "INBOX (/private/never NIL)");
  });

  it("§4.3: [METADATA TOOMANY] past 128 entries on a mailbox, and nothing of that command is changed", async () => {
    const { c } = ctx;
    const pairs = Array.from({ length: 128 }, (_, i) => `/shared/vendor/test/e${i} "${i}"`).join(" ");
    await set(c, `INBOX (${pairs})`);
    const r = await c.cmd(`SETMETADATA INBOX (/shared/vendor/test/e0 "changed" /private/comment "My new comment")`);
    expect(r.tagged).toMatch(/^\S+ NO \[METADATA TOOMANY\] /);
    expect(await get(c, "INBOX (/shared/vendor/test/e0 /private/comment)"))
      .toEqual(['* METADATA INBOX (/shared/vendor/test/e0 "0" /private/comment NIL)']);
    // replacing and removing still work at the limit; another mailbox has its own count
    await set(c, `INBOX (/shared/vendor/test/e0 "changed")`);
    await set(c, `INBOX (/shared/vendor/test/e1 NIL /private/comment "fits again")`);
    await set(c, `one (/private/comment "elsewhere")`);
    // the server's entries are counted apart too
    await set(c, `"" (/shared/comment "server")`);
  });

  it("§4.3: [METADATA MAXSIZE] for a value over 64 KiB; 64 KiB itself is kept", async () => {
    const { c } = ctx;
    const max = 64 * 1024;
    const tooBig = await c.cmd(`SETMETADATA INBOX (/private/comment "x" /shared/comment {${max + 1}+}\r\n${"y".repeat(max + 1)})`);
    expect(tooBig.tagged).toMatch(/^\S+ NO \[METADATA MAXSIZE 65536\] /);
    expect(await get(c, "INBOX /private/comment")).toEqual(["* METADATA INBOX (/private/comment NIL)"]);
    await set(c, `INBOX (/shared/comment {${max}+}\r\n${"y".repeat(max)})`);
    const back = await get(c, "INBOX /shared/comment");
    expect(back[0]).toBe(`* METADATA INBOX (/shared/comment {${max}}\r\n${"y".repeat(max)})`);
    // a synchronising literal past what SETMETADATA reads is refused before it is sent
    expect((await c.cmd(`SETMETADATA INBOX (/shared/comment {2000000}`)).tagged).toMatch(/^\S+ NO \[TOOBIG\] /);
    expect((await c.cmd("NOOP")).tagged).toMatch(OK);
  });
});

describe("METADATA: values, names and errors", () => {
  it("keeps values byte for byte: 8-bit and CR/LF as literals, NULs as a literal8 (BINARY)", async () => {
    const { c } = ctx;
    const bin = Buffer.from([0x00, 0xff, 0x0d, 0x0a, 0x41, 0x00, 0x80]);
    const literal8 = (entry: string, value: Buffer, marker: string) =>
      Buffer.concat([Buffer.from(`SETMETADATA INBOX (${entry} ${marker}{${value.length}+}\r\n`), value, Buffer.from(")")]);
    expect((await c.cmd(literal8("/private/vendor/test/bin", bin, "~"))).tagged).toMatch(OK);
    const r = await c.cmd("GETMETADATA INBOX /private/vendor/test/bin");
    expect(Buffer.from(r.untagged[0], "latin1")).toEqual(
      Buffer.concat([Buffer.from(`* METADATA INBOX (/private/vendor/test/bin ~{${bin.length}}\r\n`), bin, Buffer.from(")")]));
    const utf8 = Buffer.from("Grüße\r\n", "utf8");
    expect((await c.cmd(literal8("/private/comment", utf8, ""))).tagged).toMatch(OK);
    expect(Buffer.from((await get(c, "INBOX /private/comment"))[0], "latin1"))
      .toEqual(Buffer.concat([Buffer.from(`* METADATA INBOX (/private/comment {${utf8.length}}\r\n`), utf8, Buffer.from(")")]));
    // the empty string is a value, not a removal; an atom is taken as Dovecot takes it
    await set(c, `INBOX (/private/comment "" /shared/comment word)`);
    expect(await get(c, "INBOX (/private/comment /shared/comment)"))
      .toEqual(['* METADATA INBOX (/private/comment "" /shared/comment "word")']);
  });

  it("entry names are case-insensitive (answered lower-cased, as Dovecot does)", async () => {
    const { c } = ctx;
    await set(c, `INBOX (/Private/Comment "mixed")`);
    expect(await get(c, "INBOX /PRIVATE/COMMENT")).toEqual(['* METADATA INBOX (/private/comment "mixed")']);
    expect(await get(c, "inbox /private/comment")).toEqual(['* METADATA INBOX (/private/comment "mixed")']);
  });

  it("answers invalid names and syntax with BAD (§3.2) and stays usable", async () => {
    const { c } = ctx;
    for (const cmd of [
      "GETMETADATA INBOX /comment", "GETMETADATA INBOX comment", "GETMETADATA INBOX /private/a*b",
      "GETMETADATA INBOX /private/a%", "GETMETADATA INBOX /private//a", "GETMETADATA INBOX /private/a/",
      "GETMETADATA INBOX {4+}\r\n/p\x01v", "GETMETADATA INBOX (DEPTH 2) /private/a", "GETMETADATA INBOX (MAXSIZE x) /private/a",
      "GETMETADATA INBOX (SOMETHING) /private/a", "GETMETADATA INBOX", "GETMETADATA", "GETMETADATA INBOX ()",
      "GETMETADATA INBOX (/private/a", `GETMETADATA INBOX "/private/\xe9"`, "GETMETADATA INBOX (DEPTH) /private/a",
      `SETMETADATA INBOX /private/comment "x"`, "SETMETADATA INBOX (/private/comment)", "SETMETADATA INBOX ()",
      `SETMETADATA INBOX (/private "x")`, `SETMETADATA INBOX (/shared "x")`, `SETMETADATA INBOX (/private/comment ("x"))`,
      `SETMETADATA INBOX (/other/comment "x")`, `SETMETADATA INBOX (/private/${"a".repeat(1100)} "x")`,
    ]) {
      expect((await c.cmd(cmd)).tagged, cmd).toMatch(/^\S+ BAD /);
    }
    expect((await c.cmd("NOOP")).tagged).toMatch(OK);
    expect(await get(c, "INBOX (/private/comment /shared/comment)"))
      .toEqual(["* METADATA INBOX (/private/comment NIL /shared/comment NIL)"]);
  });

  it("a mailbox that does not exist: NO [NONEXISTENT]; a name MH cannot hold: NO [CANNOT]", async () => {
    const { c } = ctx;
    expect((await c.cmd("GETMETADATA nosuch /private/comment")).tagged).toMatch(/^\S+ NO \[NONEXISTENT\] /);
    expect((await c.cmd(`SETMETADATA nosuch (/private/comment "x")`)).tagged).toMatch(/^\S+ NO \[NONEXISTENT\] /);
    expect((await c.cmd(`SETMETADATA 123 (/private/comment "x")`)).tagged).toMatch(/^\S+ NO \[CANNOT\] /);
  });

  it("/private/specialuse is what LIST says and read-only; the server's /shared/admin unset is NIL, read-only", async () => {
    const { c } = ctx;
    expect(await get(c, `"Sent Messages" /private/specialuse`)).toEqual(['* METADATA "Sent Messages" (/private/specialuse "\\\\Sent")']);
    expect(await get(c, `INBOX /private/specialuse`)).toEqual(["* METADATA INBOX (/private/specialuse NIL)"]);
    expect(await get(c, `Drafts (DEPTH 1) /private`)).toEqual(['* METADATA Drafts (/private/specialuse "\\\\Drafts")']);
    expect((await c.cmd(`SETMETADATA Drafts (/private/specialuse "\\\\Trash")`)).tagged).toMatch(/^\S+ NO \[CANNOT\] /);
    expect((await c.cmd(`SETMETADATA Drafts (/private/comment "x" /private/specialuse NIL)`)).tagged).toMatch(/^\S+ NO \[CANNOT\] /);
    expect(await get(c, `Drafts (/private/comment /private/specialuse)`))
      .toEqual(['* METADATA Drafts (/private/comment NIL /private/specialuse "\\\\Drafts")']);
    // CREATE (USE) gives it as well
    expect((await c.cmd(`CREATE Everything (USE (\\All))`)).tagged).toMatch(OK);
    expect(await get(c, `Everything /private/specialuse`)).toEqual(['* METADATA Everything (/private/specialuse "\\\\All")']);
    expect(await get(c, `"" /shared/admin`)).toEqual(['* METADATA "" (/shared/admin NIL)']);
    expect((await c.cmd(`SETMETADATA "" (/shared/admin "mailto:me@example.com")`)).tagged).toMatch(/^\S+ NO \[CANNOT\] /);
  });

  it("the server's /shared/admin comes from the server's option", async () => {
    const srv = await startServer(ctx.mail.root, { serverAdmin: "mailto:postmaster@example.com" });
    try {
      const c = await RawClient.connect(srv.port);
      expect(await get(c, `"" (DEPTH infinity) /shared`))
        .toEqual(['* METADATA "" (/shared/admin "mailto:postmaster@example.com")']);
      c.close();
    } finally {
      await srv.close();
    }
  });

  it("works on a \\Noselect mailbox, and in the selected state", async () => {
    const { c } = ctx;
    expect((await c.cmd("CREATE parent/child")).tagged).toMatch(OK);
    expect((await c.cmd("DELETE parent")).tagged).toMatch(OK); // stays, \Noselect, as child's parent
    await set(c, `parent (/private/comment "still here")`);
    expect(await get(c, "parent /private/comment")).toEqual(['* METADATA parent (/private/comment "still here")']);
    expect((await c.cmd("SELECT INBOX")).tagged).toMatch(OK);
    await set(c, `INBOX (/private/comment "selected")`);
    expect(await get(c, "INBOX /private/comment")).toEqual(['* METADATA INBOX (/private/comment "selected")']);
  });
});

describe("METADATA: annotations follow their mailbox", () => {
  it("RENAME moves a mailbox's annotations and its children's (§4.1); the old name has none", async () => {
    const { c } = ctx;
    for (const m of ["proj", "proj/a", "proj/a/b"]) expect((await c.cmd(`CREATE ${m}`)).tagged).toMatch(OK);
    await set(c, `proj (/private/comment "top")`);
    await set(c, `proj/a/b (/shared/comment "leaf")`);
    expect((await c.cmd("RENAME proj work")).tagged).toMatch(OK);
    expect(await get(c, "work /private/comment")).toEqual(['* METADATA work (/private/comment "top")']);
    expect(await get(c, "work/a/b /shared/comment")).toEqual(['* METADATA work/a/b (/shared/comment "leaf")']);
    expect((await c.cmd("CREATE proj")).tagged).toMatch(OK);
    expect(await get(c, "proj /private/comment")).toEqual(["* METADATA proj (/private/comment NIL)"]);
  });

  it("RENAME INBOX keeps INBOX's annotations and copies them to the new mailbox (§4.1)", async () => {
    const { c } = ctx;
    await set(c, `INBOX (/private/comment "inbox note")`);
    expect((await c.cmd("RENAME INBOX old-inbox")).tagged).toMatch(OK);
    expect(await get(c, "INBOX /private/comment")).toEqual(['* METADATA INBOX (/private/comment "inbox note")']);
    expect(await get(c, "old-inbox /private/comment")).toEqual(['* METADATA old-inbox (/private/comment "inbox note")']);
  });

  it("DELETE removes them, also of a mailbox kept as a \\Noselect parent; a new mailbox of that name has none", async () => {
    const { c } = ctx;
    expect((await c.cmd("CREATE tmp")).tagged).toMatch(OK);
    await set(c, `tmp (/private/comment "doomed")`);
    expect((await c.cmd("DELETE tmp")).tagged).toMatch(OK);
    expect((await c.cmd("GETMETADATA tmp /private/comment")).tagged).toMatch(/^\S+ NO \[NONEXISTENT\] /);
    expect((await c.cmd("CREATE tmp")).tagged).toMatch(OK);
    expect(await get(c, "tmp /private/comment")).toEqual(["* METADATA tmp (/private/comment NIL)"]);
    expect((await c.cmd("CREATE tmp/kid")).tagged).toMatch(OK);
    await set(c, `tmp (/private/comment "doomed too")`);
    expect((await c.cmd("DELETE tmp")).tagged).toMatch(OK);
    expect(await get(c, "tmp /private/comment")).toEqual(["* METADATA tmp (/private/comment NIL)"]);
  });

  it("a folder removed with nmh's rmf takes its annotations; one renamed by hand keeps them", async () => {
    const { c, mail } = ctx;
    expect((await c.cmd("CREATE byhand")).tagged).toMatch(OK);
    expect((await c.cmd("CREATE gone")).tagged).toMatch(OK);
    await set(c, `byhand (/private/comment "moved by mv")`);
    await set(c, `gone (/private/comment "removed by rmf")`);
    nmh(mail.home, "rmf", ["+gone", "-nointeractive"]);
    renameSync(`${mail.root}/byhand`, `${mail.root}/renamed`);
    expect((await c.cmd("GETMETADATA gone /private/comment")).tagged).toMatch(/^\S+ NO \[NONEXISTENT\] /);
    nmh(mail.home, "folder", ["-create", "+gone"]);
    expect(await get(c, "gone /private/comment")).toEqual(["* METADATA gone (/private/comment NIL)"]);
    expect(await get(c, "renamed /private/comment")).toEqual(['* METADATA renamed (/private/comment "moved by mv")']);
  });

  it("they are kept in the state database: a new server on the same mail sees them", async () => {
    const { c, mail } = ctx;
    await set(c, `"" (/shared/comment "lasting")`);
    await set(c, `one (/private/comment "lasting too")`);
    const srv = await startServer(mail.root);
    try {
      const c2 = await RawClient.connect(srv.port);
      expect(await get(c2, `"" /shared/comment`)).toEqual(['* METADATA "" (/shared/comment "lasting")']);
      expect(await get(c2, `one /private/comment`)).toEqual(['* METADATA one (/private/comment "lasting too")']);
      c2.close();
    } finally {
      await srv.close();
    }
  });
});

describe("METADATA with NOTIFY (RFC 5465 §5.6, §5.7)", () => {
  /** Nothing more arrives within `ms`. */
  const quiet = async (c: RawClient, ms = 400) => {
    await new Promise((r) => setTimeout(r, ms));
    return c.drain();
  };

  it("tells another session's changes as METADATA with the entry names, not its own", async () => {
    const { c } = ctx;
    const other = await ctx.connect();
    expect((await c.cmd("NOTIFY SET (personal (MailboxMetadataChange ServerMetadataChange))")).tagged).toMatch(OK);
    await set(other, `INBOX (/private/comment "x" /Shared/Comment NIL)`);
    expect(await c.next()).toBe("* METADATA INBOX /private/comment /shared/comment");
    await set(other, `"" (/shared/comment "for the server")`);
    expect(await c.next()).toBe('* METADATA "" /shared/comment');
    await set(other, `"Sent Messages" (/shared/vendor/test/x "1")`);
    expect(await c.next()).toBe('* METADATA "Sent Messages" /shared/vendor/test/x');
    // its own change is not told (§5), nor a refused one
    await set(c, `INBOX (/private/comment "mine")`);
    expect((await other.cmd(`SETMETADATA Drafts (/private/specialuse NIL)`)).tagged).toMatch(/ NO \[CANNOT\] /);
    expect(await quiet(c)).toEqual([]);
  });

  it("metadata events are not message events: SELECTED refuses them (RFC 5465 §8)", async () => {
    expect((await ctx.c.cmd("NOTIFY SET (selected (MailboxMetadataChange))")).tagged).toMatch(/^\S+ BAD /);
    expect((await ctx.c.cmd("NOOP")).tagged).toMatch(OK);
  });

  it("tells only what the groups ask for", async () => {
    const { c } = ctx;
    const other = await ctx.connect();
    expect((await c.cmd("NOTIFY SET (mailboxes one (MailboxMetadataChange))")).tagged).toMatch(OK);
    await set(other, `INBOX (/private/comment "not watched")`);
    await set(other, `"" (/shared/comment "no ServerMetadataChange asked")`);
    await set(other, `one (/private/comment "watched")`);
    expect(await c.next()).toBe("* METADATA one /private/comment");
    expect(await quiet(c)).toEqual([]);
    expect((await c.cmd("NOTIFY NONE")).tagged).toMatch(OK);
    await set(other, `one (/private/comment "after NONE")`);
    expect(await quiet(c)).toEqual([]);
  });
});
