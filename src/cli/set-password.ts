#!/usr/bin/env node
// asimapd_set_password [--pwfile=<pwfile>] <username> [<password>] [<maildir>]
// Sets (or creates) an account in the password file. No password (or an empty one) sets an
// unusable password, disabling the account. A new account needs its maildir; the maildir is
// as asimapd sees it (relative = relative to the password file's directory).
import { Command, CommanderError } from "commander";
import { promises as fsp } from "node:fs";
import { makePassword, makeUnusablePassword } from "../daemon/hashers.js";
import { setAccountInText, writeFileAtomic } from "../daemon/pwfile.js";
import { packageVersion } from "../daemon/version.js";

export const DEFAULT_PWFILE = "/opt/asimap/pwfile";

async function main(argv: string[]): Promise<number> {
  const program = new Command("asimapd_set_password")
    .description("Set the password of an asimap account (creates the account if it does not exist).\n" +
      "Without a password an unusable one is set, disabling the account.\n" +
      "A new account needs <maildir> (its MH mail root, as seen by asimapd).")
    .version(packageVersion(), "--version")
    .helpOption("-h, --help", "Show this text and exit")
    .option("--pwfile <pwfile>", `the password file; env PWFILE; default ${DEFAULT_PWFILE}`)
    .argument("<username>")
    .argument("[password]")
    .argument("[maildir]")
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  try {
    program.parse(argv);
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    throw e;
  }
  const [username, password, maildir] = program.args as [string, string?, string?];
  const pwfile = (program.opts().pwfile as string | undefined) || process.env.PWFILE || DEFAULT_PWFILE;
  let text = "";
  try {
    text = await fsp.readFile(pwfile, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") {
      process.stderr.write(`asimapd_set_password: cannot read ${pwfile}: ${(e as Error).message}\n`);
      return 2;
    }
  }
  try {
    const hash = password ? await makePassword(password) : makeUnusablePassword();
    await writeFileAtomic(pwfile, setAccountInText(text, { user: username, hash, maildir }));
  } catch (e) {
    process.stderr.write(`asimapd_set_password: ${(e as Error).message}\n`);
    return 2;
  }
  process.stdout.write(`${password ? "set password for" : "disabled"} ${username} in ${pwfile}\n`);
  return 0;
}

process.exitCode = await main(process.argv);
