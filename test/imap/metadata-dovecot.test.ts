// METADATA compared with Dovecot (its imap binary with imap_metadata and a file dict): the same
// commands, the same answers: each command's status and response code, and each METADATA
// response's mailbox, entries and values (Dovecot sends every value as a literal, we send short
// ones quoted: the values are compared, not their form). Where we differ on purpose (README,
// "METADATA"), the commands are left out here and tested in metadata.test.ts.
import { describe, expect, it } from "vitest";
import { dovecotRun } from "../sync/dovecot.js";
import { parseValues, type Val } from "../message/dovecot-oracle.js";
import { useServer } from "./setup.js";

const COMMANDS = [
  `SETMETADATA INBOX (/private/comment "My own comment" /shared/comment "Shared comment")`,
  `GETMETADATA INBOX (/private/comment /shared/comment /private/none)`,
  `SETMETADATA INBOX (/private/filters/values/small "SMALLER 5000" /private/filters/values/boss "FROM boss")`,
  `SETMETADATA INBOX (/private/filters/values/boss/deeper "x")`,
  `GETMETADATA (DEPTH 1) INBOX /private/filters/values`,
  `GETMETADATA (DEPTH infinity) INBOX /private/filters`,
  `GETMETADATA (DEPTH 0) INBOX /private/filters/values`,
  `GETMETADATA (DEPTH 1) INBOX (/private/nothing /private/filters/values/boss)`,
  `GETMETADATA (DEPTH infinity) INBOX /private/nothing`,
  `GETMETADATA (MAXSIZE 14) INBOX (/private/comment /shared/comment)`,
  `GETMETADATA INBOX /PRIVATE/Comment`,
  `SETMETADATA INBOX (/private/comment NIL)`,
  `GETMETADATA INBOX /private/comment`,
  `SETMETADATA INBOX (/shared/comment {5+}\r\nlines)`,
  `GETMETADATA INBOX /shared/comment`,
  `SETMETADATA "Sent Messages" (/private/specialuse "\\\\Trash")`,
  `GETMETADATA "Sent Messages" /private/specialuse`,
  `GETMETADATA "" /shared/admin`,
  `SETMETADATA "" (/shared/admin "mailto:me@example.com")`,
  `GETMETADATA INBOX /comment`,
  `GETMETADATA INBOX /private/a*`,
  `GETMETADATA INBOX /private//a`,
  `GETMETADATA (DEPTH 2) INBOX /private/a`,
  `GETMETADATA (MAXSIZE x) INBOX /private/a`,
  `SETMETADATA INBOX (/private/comment ("x"))`,
];

const CONF = [
  "mail_attribute_dict = file:{dir}/attributes", "imap_metadata = yes",
  "namespace inbox {", "  inbox = yes", "  separator = /",
  '  mailbox "Sent Messages" {', "    special_use = \\Sent", "  }", "}",
];

interface Answers {
  /** per command: status and response code */
  tagged: string[];
  /** every METADATA response: mailbox and entry → value */
  metadata: Array<{ mailbox: Val; entries: Record<string, Val> }>;
}

/** A session's output (lines joined by CRLF, literals inline) as what is compared. */
function answers(out: string, tags: string[]): Answers {
  const tagged = tags.map((t) => {
    const m = new RegExp(`^${t} (OK|NO|BAD)(?: \\[([^\\]]*)\\])?`, "m").exec(out);
    if (!m) throw new Error(`no answer to ${t} in:\n${out}`);
    return m[2] ? `${m[1]} [${m[2]}]` : m[1];
  });
  const metadata = [...out.matchAll(/^\* METADATA /gm)].map((m) => {
    const [mailbox, list] = parseValues(Buffer.from(out.slice(m.index + m[0].length), "latin1"), 2);
    const items = list as Val[];
    const entries: Record<string, Val> = {};
    for (let i = 0; i < items.length; i += 2) entries[(items[i] as { atom: string }).atom] = items[i + 1];
    return { mailbox: typeof mailbox === "object" && mailbox !== null && "atom" in mailbox ? mailbox.atom : mailbox, entries };
  });
  return { tagged, metadata };
}

const ctx = useServer();

describe("METADATA as Dovecot answers it", () => {
  it("gives the same statuses, codes, entries and values", async () => {
    const tags = COMMANDS.map((_, i) => `c${i}`);
    const theirs = answers(dovecotRun([], ["CREATE \"Sent Messages\"", ...COMMANDS], () => true, { conf: CONF, refusals: true })
      .join("\r\n").replace(/^c(\d+) /gm, (_, n: string) => `c${Number(n) - 1} `), tags);
    let text = "";
    for (const [i, cmd] of COMMANDS.entries()) {
      const r = await ctx.c.cmd(cmd);
      text += [...r.untagged, r.tagged.replace(/^\S+/, `c${i}`)].join("\r\n") + "\r\n";
    }
    const ours = answers(text, tags);
    for (const [i, cmd] of COMMANDS.entries()) expect(`${cmd} → ${ours.tagged[i]}`).toBe(`${cmd} → ${theirs.tagged[i]}`);
    expect(ours.metadata).toEqual(theirs.metadata);
  });
});
