// Mailbox names never reach outside the user's mail root: `..`, absolute paths, NUL, symlinks
// pointing out, and modified UTF-7 that decodes to any of these. Each hostile name goes through
// every command that takes a name; afterwards nothing outside the root was created, read or
// changed, and no command answered OK for an escaping name.
import { mkdirSync, readdirSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { useServer } from "../imap/setup.js";

/** `../` as UTF-16BE base64: the mUTF-7 spelling of characters that must never be decoded into a path */
const M_DOTDOTSLASH = "&AC4ALgAv-";
const HOSTILE = [
  "../outside", "../../outside", "one/../../outside", "/etc", "/tmp/outside-abs", "./../outside",
  `${M_DOTDOTSLASH}outside`, `one/${M_DOTDOTSLASH}${M_DOTDOTSLASH}outside`, "&AC8-etc" /* "/etc" */,
  "&AC4ALg-" /* ".." */, "one/&AC4ALg-/&AC4ALg-/outside", "..", ".", "escape", "escape/inner", "escape/../x",
];

function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      const st = statSync(p, { throwIfNoEntry: false } as never) as ReturnType<typeof statSync> | undefined;
      out.push(`${p} ${st?.size ?? "?"} ${st?.mtimeMs ?? "?"}`);
      if (e.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out.sort();
}

describe("mailbox names stay inside the mail root", () => {
  const ctx = useServer();

  it("no command with a hostile name succeeds or touches anything outside the root", async () => {
    const home = ctx.mail.home; // the parent of the mail root
    const outside = join(home, "outside");
    mkdirSync(outside);
    writeFileSync(join(outside, "1"), "Subject: not yours\n\nsecret\n");
    symlinkSync(outside, join(ctx.mail.root, "escape")); // a symlink inside the root, pointing out
    // what is inside the root may change (the store's and the search index's files); the rest not
    const besideRoot = (l: string) => !l.includes("/Mail/") && !l.startsWith(ctx.mail.root + " ");
    const before = snapshot(home).filter(besideRoot);
    const outsideBefore = snapshot(outside);
    const c = ctx.c;
    const body = "Subject: x\r\n\r\ny\r\n";
    for (const name of HOSTILE) {
      const q = JSON.stringify(name);
      const cmds = [
        `CREATE ${q}`, `SELECT ${q}`, `EXAMINE ${q}`, `STATUS ${q} (MESSAGES)`, `APPEND ${q} {${body.length}+}\r\n${body}`,
        `RENAME INBOX ${q}`, `RENAME one ${q}`, `SUBSCRIBE ${q}`, `DELETE ${q}`, `LIST ${q} "*"`,
      ];
      for (const cmd of cmds) {
        const r = await c.cmd(cmd);
        if (cmd.startsWith("LIST") || cmd.startsWith("SUBSCRIBE")) {
          // LIST may answer OK, but with nothing from outside the root
          expect(r.untagged.join("\n"), `${cmd}`).not.toMatch(/outside|etc|escape/);
          continue;
        }
        expect(r.tagged, `${cmd} must be refused`).toMatch(/^T\d+ (NO|BAD)/);
        expect(r.untagged.join("\n")).not.toMatch(/\d+ EXISTS/);
      }
      await c.cmd("SELECT INBOX"); // a failed SELECT leaves no mailbox selected: re-select
      expect((await c.cmd(`COPY 1 ${q}`)).tagged, `COPY to ${name}`).toMatch(/^T\d+ (NO|BAD)/);
      expect((await c.cmd(`MOVE 1 ${q}`)).tagged, `MOVE to ${name}`).toMatch(/^T\d+ (NO|BAD)/);
    }
    // a NUL inside a literal mailbox name
    expect((await c.cmd("CREATE {6+}\r\nab\0/..")).tagged).toMatch(/^T\d+ (NO|BAD)/);
    // LIST of everything shows nothing outside the root, nor the symlink
    const all = (await c.cmd('LIST "" "*"')).untagged.join("\n");
    expect(all).not.toMatch(/outside|escape|etc/);
    expect(snapshot(outside), "the outside directory is untouched").toEqual(outsideBefore);
    expect(snapshot(home).filter(besideRoot), "nothing new next to the mail root").toEqual(before);
  });
});
