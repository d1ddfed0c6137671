// XLIST (Gmail's extension before SPECIAL-USE, still sent by old Outlook and iOS) through the
// real engine on a real MH tree: LIST's answer as XLIST lines, INBOX marked \Inbox.
import { describe, expect, it } from "vitest";
import { useServer } from "./setup.js";

const ctx = useServer();

/** LIST's lines for a pattern, as XLIST should give them. */
async function listed(pattern: string): Promise<string[]> {
  const r = await ctx.c.cmd(`LIST "" ${pattern}`);
  expect(r.tagged).toMatch(/^\S+ OK List completed/);
  return r.untagged.map((l) => l.replace(/^\* LIST /, "* XLIST ").replace(/^(\* XLIST \([^)]*)\) "\/" INBOX$/, "$1 \\Inbox) \"/\" INBOX"));
}

describe("XLIST", () => {
  it("answers as LIST with the special-use attributes, INBOX marked \\Inbox", async () => {
    const { c } = ctx;
    expect((await c.cmd("CREATE Everything (USE (\\All))")).tagged).toMatch(/^\S+ OK /);
    const r = await c.cmd(`XLIST "" "*"`);
    expect(r.tagged).toMatch(/^\S+ OK Xlist completed/);
    expect(r.untagged).toEqual(await listed(`"*"`));
    expect(r.untagged).toContain('* XLIST (\\HasNoChildren \\Inbox) "/" INBOX');
    expect(r.untagged).toContain('* XLIST (\\HasNoChildren \\Sent) "/" "Sent Messages"');
    expect(r.untagged).toContain('* XLIST (\\HasNoChildren \\Trash) "/" "Deleted Messages"');
    expect(r.untagged).toContain('* XLIST (\\HasNoChildren \\Drafts) "/" Drafts');
    expect(r.untagged).toContain('* XLIST (\\HasNoChildren \\Junk) "/" Junk');
    expect(r.untagged).toContain('* XLIST (\\HasNoChildren \\Archive) "/" Archive');
    expect(r.untagged).toContain('* XLIST (\\HasNoChildren \\All) "/" Everything');
  });

  it("takes a reference and % as LIST does, and the delimiter query", async () => {
    const { c } = ctx;
    for (const m of ["top", "top/mid", "top/mid/low"]) expect((await c.cmd(`CREATE ${m}`)).tagged).toMatch(/^\S+ OK /);
    expect((await c.cmd(`XLIST top %`)).untagged).toEqual(['* XLIST (\\HasChildren) "/" top/mid']);
    expect((await c.cmd(`XLIST "" inbox`)).untagged).toEqual(['* XLIST (\\HasNoChildren \\Inbox) "/" INBOX']);
    expect((await c.cmd(`XLIST "" ""`)).untagged).toEqual(['* XLIST (\\Noselect) "/" ""']);
    expect((await c.cmd(`XLIST "" %`)).untagged).toEqual(await listed("%"));
  });

  it("bad arguments get BAD, and the connection stays usable", async () => {
    const { c } = ctx;
    for (const bad of ["XLIST", `XLIST ""`, `XLIST "" "*" extra`, `XLIST (SUBSCRIBED) "" "*"`]) {
      expect((await c.cmd(bad)).tagged, bad).toMatch(/^\S+ BAD /);
    }
    expect((await c.cmd("NOOP")).tagged).toMatch(/^\S+ OK /);
  });
});
