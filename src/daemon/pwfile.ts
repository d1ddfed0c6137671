// The password file: one account per line, `user:hash:maildir`, optionally `:host:port` of the
// backend holding the mail (asimapd-auth's answer to nginx; asimapd itself ignores it), then
// optionally the quota limits, `:storage=10G,messages=100000` (see quota-field.ts); blank
// lines and lines whose first non-blank character is `#` are comments. A relative maildir is
// relative to the directory of the password file. The reader re-reads the file when it changes;
// the writer keeps every other line (comments included) and replaces the file atomically, 0600.
import { promises as fsp } from "node:fs";
import * as path from "node:path";
import { parseBackend } from "./backend-address.js";
import { ChangingFile } from "./changing-file.js";
import { isQuotaField, parseQuotaField, type AccountQuota } from "./quota-field.js";

export interface Account {
  user: string;
  hash: string;
  /** absolute path of the user's MH mail root */
  maildir: string;
  /** `host:port` of the backend serving this user, when the file names one */
  backend?: string;
  /** the limits this account's line gives (the rest are asimapd's default) */
  quota?: AccountQuota;
}

export interface PwfileProblem {
  line: number;
  reason: string;
}

export interface ParsedPwfile {
  accounts: Map<string, Account>;
  problems: PwfileProblem[];
}

export function parsePwfile(text: string, pwfilePath: string): ParsedPwfile {
  const accounts = new Map<string, Account>();
  const problems: PwfileProblem[] = [];
  const base = path.dirname(path.resolve(pwfilePath));
  text.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const fields = line.split(":").map((f) => f.trim());
    if (fields.length < 3) {
      problems.push({ line: i + 1, reason: `expected user:hash:maildir[:host:port][:quota], found ${fields.length} field(s)` });
      return;
    }
    const [user, hash, maildir] = fields;
    if (user === "" || maildir === "") {
      problems.push({ line: i + 1, reason: user === "" ? "empty user name" : "empty maildir" });
      return;
    }
    const rest = fields.slice(3);
    const quota = rest.length > 0 && isQuotaField(rest[rest.length - 1]) ? parseQuotaField(rest.pop()!) : undefined;
    const backend = rest.length > 0 ? rest.join(":") : undefined;
    const bad = backend !== undefined ? parseBackend(backend) : null;
    for (const p of [bad, quota]) {
      if (p && "problem" in p) {
        problems.push({ line: i + 1, reason: p.problem });
        return;
      }
    }
    if (accounts.has(user)) problems.push({ line: i + 1, reason: `user ${user} appears again; the later line wins` });
    accounts.set(user, {
      user, hash, maildir: path.resolve(base, maildir), ...(backend ? { backend } : {}),
      ...(quota ? { quota: quota as AccountQuota } : {}),
    });
  });
  return { accounts, problems };
}

/** Reads the password file on demand, again only when it changed. */
export class PasswordFile {
  private readonly source: ChangingFile<Map<string, Account>>;
  constructor(readonly file: string, onProblem?: (p: PwfileProblem) => void) {
    this.source = new ChangingFile(file, (text) => {
      const parsed = parsePwfile(text, file);
      parsed.problems.forEach((p) => onProblem?.(p));
      return parsed.accounts;
    });
  }

  /** Throws (with a clear message) when the file cannot be read. */
  load(): Promise<Map<string, Account>> {
    return this.source.load();
  }

  async lookup(user: string): Promise<Account | undefined> {
    return (await this.load()).get(user);
  }
}

export interface SetAccount {
  user: string;
  hash: string;
  /** as the admin wrote it (kept relative if relative); required for a new account */
  maildir?: string;
}

/**
 * The new text of a password file with one account set: the account's line is replaced in
 * place (keeping its maildir unless a new one is given), or appended. Every other line stays.
 */
export function setAccountInText(text: string, acc: SetAccount): string {
  if (/[:\n]/.test(acc.user) || acc.user.trim() !== acc.user || acc.user === "") {
    throw new Error(`invalid user name ${JSON.stringify(acc.user)} (no ':', newline or surrounding blanks)`);
  }
  if (acc.maildir !== undefined && (/[:\n]/.test(acc.maildir) || acc.maildir.trim() === "")) {
    throw new Error(`invalid maildir ${JSON.stringify(acc.maildir)} (no ':' or newline, not empty)`);
  }
  const lines = text === "" ? [] : text.replace(/\n$/, "").split("\n");
  let found = false;
  const out = lines.map((raw) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return raw;
    const fields = line.split(":").map((f) => f.trim());
    if (fields.length < 3 || fields[0] !== acc.user) return raw;
    found = true;
    return [acc.user, acc.hash, acc.maildir ?? fields[2], ...fields.slice(3)].join(":"); // (backend, quota stay)
  });
  if (!found) {
    if (acc.maildir === undefined) {
      throw new Error(`user ${acc.user} does not exist yet: give its maildir too`);
    }
    out.push(`${acc.user}:${acc.hash}:${acc.maildir}`);
  }
  return out.join("\n") + "\n";
}

/** Writes a temporary file next to the target (mode 0600), fsyncs and renames it into place. */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  const fh = await fsp.open(tmp, "w", 0o600);
  try {
    await fh.writeFile(text, "utf8");
    await fh.chmod(0o600);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await fsp.rename(tmp, file);
  } catch (e) {
    await fsp.rm(tmp, { force: true });
    throw e;
  }
}

/**
 * The warning for a password file others may read or write (as ssh warns of an open key file):
 * whoever can read it can attack the hashes offline, whoever can write it can add an account.
 * Warned, not refused, so an installation switched over from the old asimap (which never
 * looked) keeps serving; undefined when only the owner has access.
 */
export function pwfileModeWarning(file: string, mode: number): string | undefined {
  const bits = mode & 0o777;
  if ((bits & 0o077) === 0) return undefined;
  const who = (shift: number, name: string) => {
    const r = (bits >> shift) & 4 ? "read" : "";
    const w = (bits >> shift) & 2 ? "write" : "";
    return r || w ? `${name} may ${[r, w].filter(Boolean).join(" and ")} it` : "";
  };
  const open = [who(3, "its group"), who(0, "every user")].filter(Boolean).join(", ");
  return `password file ${file} is open to others (mode ${bits.toString(8).padStart(4, "0")}` +
    `${open ? `: ${open}` : ""}): the password hashes in it can be attacked offline and accounts ` +
    `added; make it readable by its owner only: chmod 600 ${file}`;
}
