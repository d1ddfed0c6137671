// Dovecot as an oracle for SORT and THREAD: its imap binary as one process on a temporary
// maildir holding the same messages (same order, same mtimes = INTERNALDATE), commands on stdin.
// Built on the message engineer's approach (test/message/dovecot-oracle.ts), which only FETCHes.
import { spawnSync } from "node:child_process";
import { chownSync, closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const DOVECOT_IMAP = "/usr/lib/dovecot/imap";

export interface OracleMessage {
  data: Buffer;
  /** INTERNALDATE, seconds since the epoch */
  mtime: number;
}

/** What a caller may add: settings for dovecot.conf (`{dir}` is the temporary directory), and
 *  whether a NO or BAD is an answer to compare rather than a broken oracle. */
export interface DovecotRunOptions {
  conf?: string[];
  refusals?: boolean;
}

/** Runs `commands` (tagged c0, c1, ...) after SELECT INBOX; returns the lines `pick` keeps. */
export function dovecotRun(
  messages: OracleMessage[], commands: string[], pick: (line: string) => boolean, o: DovecotRunOptions = {},
): string[] {
  const dir = mkdtempSync(join(tmpdir(), "asimap-sync-dovecot-"));
  try {
    const md = join(dir, "Maildir");
    for (const sub of ["cur", "new", "tmp"]) mkdirSync(join(md, sub), { recursive: true });
    const root = process.getuid?.() === 0;
    const uid = root ? 65534 : process.getuid!();
    const gid = root ? 65534 : process.getgid!();
    const files = messages.map((m, i) => {
      const f = join(md, "cur", `${100000 + i}.m${i}.oracle:2,S`);
      writeFileSync(f, m.data);
      utimesSync(f, m.mtime, m.mtime);
      return f;
    });
    if (root) for (const p of [dir, md, ...["cur", "new", "tmp"].map((s) => join(md, s)), ...files]) chownSync(p, uid, gid);
    const conf = join(dir, "dovecot.conf");
    writeFileSync(conf, [
      `mail_location = maildir:${md}`, "log_path = /dev/stderr", "ssl = no",
      `mail_uid = ${uid}`, `mail_gid = ${gid}`, "first_valid_uid = 0", "first_valid_gid = 0",
      "mail_privileged_group =", ...(o.conf ?? []).map((l) => l.replaceAll("{dir}", dir)), "",
    ].join("\n"));
    const script = ["s SELECT INBOX", ...commands.map((c, i) => `c${i} ${c}`), "z LOGOUT"].join("\r\n") + "\r\n";
    const cmds = join(dir, "commands");
    writeFileSync(cmds, script);
    const outFile = join(dir, "answers");
    const stdout = openSync(outFile, "w");
    // stdin must be a real pipe (a Node pipe is a socket, which Dovecot takes for inetd)
    const run = spawnSync("/bin/sh", ["-c", 'cat "$1" | "$2" -c "$3"', "sh", cmds, DOVECOT_IMAP, conf], {
      stdio: ["ignore", stdout, "pipe"],
      env: { USER: root ? "nobody" : (process.env.USER ?? "tester"), HOME: dir, PATH: process.env.PATH ?? "/usr/bin:/bin" },
    });
    closeSync(stdout);
    const out = readFileSync(outFile, "latin1");
    if (run.status !== 0) throw new Error(`dovecot imap failed (${run.status}): ${run.stderr.toString()} ${out}`);
    for (const line of o.refusals ? [] : out.split("\r\n")) {
      const t = /^c(\d+) (NO|BAD)/.exec(line);
      if (t) throw new Error(`dovecot refused ${commands[Number(t[1])]}: ${line}`);
    }
    // Dovecot may hold back tagged completions while it reads more commands, so answers are
    // not split by tag: `pick` names the untagged lines that are answers, one per command.
    return out.split("\r\n").filter(pick);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

