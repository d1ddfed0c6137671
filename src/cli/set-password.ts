#!/usr/bin/env node
// asimapd_set_password [--pwfile=<pwfile>] <username> [<password>] [<maildir>]
// Sets (or creates) an account in the password file. No password (or an empty one) sets an
// unusable password, disabling the account. A new account needs its maildir; the maildir is
// as asimapd sees it (relative = relative to the password file's directory), and must be an
// existing directory unless --allow-missing-maildir (the old tool never looked: a typo made an
// account that could log in to nothing).
import { Command, CommanderError } from "commander";
import { promises as fsp } from "node:fs";
import * as path from "node:path";
import { makePassword, makeUnusablePassword } from "../daemon/hashers.js";
import { parsePwfile, setAccountInText, writeFileAtomic } from "../daemon/pwfile.js";
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
    .option("--allow-missing-maildir", "accept a <maildir> that does not exist (yet)")
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
  if (maildir !== undefined && !program.opts().allowMissingMaildir) {
    const problem = await maildirProblem(path.resolve(path.dirname(path.resolve(pwfile)), maildir));
    if (problem) {
      process.stderr.write(`asimapd_set_password: maildir ${maildir} ${problem}; nothing changed (create it first, ` +
        "or give --allow-missing-maildir to set it anyway)\n");
      return 2;
    }
  }
  const existed = parsePwfile(text, pwfile).accounts.has(username);
  try {
    const hash = password ? await makePassword(password) : makeUnusablePassword();
    await writeFileAtomic(pwfile, setAccountInText(text, { user: username, hash, maildir }));
  } catch (e) {
    process.stderr.write(`asimapd_set_password: ${(e as Error).message}\n`);
    return 2;
  }
  const what = existed
    ? `${password ? "set password for" : "disabled"} ${username}`
    : `created account ${username} (maildir ${maildir})${password ? " with a password" : ", disabled (no password)"}`;
  process.stdout.write(`${what} in ${pwfile}\n`);
  return 0;
}

/** Why `dir` (absolute) cannot be a maildir, or undefined when it is an existing directory. */
async function maildirProblem(dir: string): Promise<string | undefined> {
  try {
    return (await fsp.stat(dir)).isDirectory() ? undefined : `(${dir}) is not a directory`;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === "ENOENT" ? `(${dir}) does not exist` : `(${dir}) cannot be checked: ${(e as Error).message}`;
  }
}

process.exitCode = await main(process.argv);
