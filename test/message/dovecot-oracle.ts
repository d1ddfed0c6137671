// Test-side oracle: runs Dovecot's imap binary as one process on a temporary maildir (no
// network, commands on stdin) and reads its FETCH answers into plain values.
import { spawnSync } from "node:child_process";
import { chownSync, closeSync, openSync, readFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const DOVECOT_IMAP = "/usr/lib/dovecot/imap";

/** A parsed IMAP value: strings as "binary" strings (one char per byte). */
export type Val = null | number | string | Val[] | { atom: string };

class Reader {
  pos = 0;
  constructor(readonly b: Buffer) {}
  ws(): void {
    while (this.b[this.pos] === 32) this.pos++;
  }
  value(): Val {
    this.ws();
    const c = this.b[this.pos];
    if (c === 40) {
      this.pos++;
      const out: Val[] = [];
      for (;;) {
        this.ws();
        if (this.b[this.pos] === 41) {
          this.pos++;
          return out;
        }
        out.push(this.value());
      }
    }
    if (c === 34) {
      let s = "";
      this.pos++;
      for (;;) {
        const ch = this.b[this.pos++];
        if (ch === 34) return s;
        if (ch === 92) s += String.fromCharCode(this.b[this.pos++]);
        else s += String.fromCharCode(ch);
      }
    }
    if (c === 126 && this.b[this.pos + 1] === 123) this.pos++; // a literal8 ~{n}: same bytes
    if (this.b[this.pos] === 123) {
      const close = this.b.indexOf(125, this.pos);
      const n = parseInt(this.b.toString("latin1", this.pos + 1, close), 10);
      const start = close + 3; // "}\r\n"
      this.pos = start + n;
      return this.b.toString("latin1", start, start + n);
    }
    const start = this.pos;
    while (this.pos < this.b.length && ![32, 40, 41, 13, 10].includes(this.b[this.pos])) {
      // a section label: BODY[HEADER.FIELDS (A B)]<0> is one key
      if (this.b[this.pos] === 91) this.pos = this.b.indexOf(93, this.pos);
      this.pos++;
    }
    const atom = this.b.toString("latin1", start, this.pos);
    if (atom === "NIL") return null;
    if (/^\d+$/.test(atom)) return Number(atom);
    return { atom };
  }
}

/** The first `count` values in `data` (a response after its name, literals inline). */
export function parseValues(data: Buffer, count: number): Val[] {
  const r = new Reader(data);
  return Array.from({ length: count }, () => r.value());
}

/** A temporary maildir (owned by the user Dovecot runs as) and a config for it. */
function oracleDir(): { dir: string; md: string; conf: string; own(path: string): void; user: string } {
  const dir = mkdtempSync(join(tmpdir(), "asimap-dovecot-"));
  const md = join(dir, "Maildir");
  for (const sub of ["cur", "new", "tmp"]) mkdirSync(join(md, sub), { recursive: true });
  const root = process.getuid?.() === 0;
  const uid = root ? 65534 : process.getuid!();
  const gid = root ? 65534 : process.getgid!();
  const own = (p: string): void => {
    if (root) chownSync(p, uid, gid);
  };
  for (const p of [dir, md, join(md, "cur"), join(md, "new"), join(md, "tmp")]) own(p);
  const conf = join(dir, "dovecot.conf");
  writeFileSync(
    conf,
    [
      `mail_location = maildir:${md}`,
      "log_path = /dev/stderr",
      "ssl = no",
      `mail_uid = ${uid}`,
      `mail_gid = ${gid}`,
      "first_valid_uid = 0",
      "first_valid_gid = 0",
      "mail_privileged_group =",
      "",
    ].join("\n"),
  );
  return { dir, md, conf, own, user: root ? "nobody" : (process.env.USER ?? "tester") };
}

/** One imap session on the oracle's maildir with `script` as its input; its output. */
function session(o: ReturnType<typeof oracleDir>, script: Buffer): Buffer {
  const cmds = join(o.dir, "commands");
  writeFileSync(cmds, script);
  // stdin must be a real pipe: Node's pipes are sockets (Dovecot takes them for inetd) and
  // a plain file cannot be polled; so the shell pipes the commands in.
  const outFile = join(o.dir, "answers");
  const stdout = openSync(outFile, "w");
  const run = spawnSync("/bin/sh", ["-c", 'cat "$1" | "$2" -c "$3"', "sh", cmds, DOVECOT_IMAP, o.conf], {
    stdio: ["ignore", stdout, "pipe"],
    env: { USER: o.user, HOME: o.dir, PATH: process.env.PATH ?? "/usr/bin:/bin" },
  });
  closeSync(stdout);
  const out = readFileSync(outFile);
  if (run.status !== 0) throw new Error(`dovecot imap failed (${run.status}): ${run.stderr.toString()} ${out.toString()}`);
  return out;
}

const fetchScript = (items: string): Buffer => Buffer.from(`a SELECT INBOX\r\nb FETCH 1:* (${items})\r\nc LOGOUT\r\n`);

/** Runs `FETCH 1:* (<items>)` over the messages; returns one map item → value per message. */
export function dovecotFetch(messages: Buffer[], items: string): Array<Record<string, Val>> {
  const o = oracleDir();
  try {
    messages.forEach((m, i) => {
      const f = join(o.md, "cur", `${1000 + i}.m${i}.oracle:2,`);
      writeFileSync(f, m);
      o.own(f);
    });
    return parseFetches(session(o, fetchScript(items)), messages.length);
  } finally {
    rmSync(o.dir, { recursive: true, force: true });
  }
}

/**
 * APPENDs the messages to INBOX (a literal8 `~{n}` where `binary`), then, in a second session
 * (Dovecot may read a FETCH pipelined after an APPEND before the APPEND is saved), runs
 * `FETCH 1:* (<items>)`.
 */
export function dovecotAppendFetch(appends: Array<{ data: Buffer; binary: boolean }>, items: string): Array<Record<string, Val>> {
  const o = oracleDir();
  try {
    const script = Buffer.concat([
      ...appends.flatMap((a, i) => [Buffer.from(`a${i} APPEND INBOX ${a.binary ? "~" : ""}{${a.data.length}+}\r\n`), a.data, Buffer.from("\r\n")]),
      Buffer.from("z LOGOUT\r\n"),
    ]);
    const out = session(o, script).toString("latin1");
    const refused = /^a\d+ (NO|BAD) .*$/m.exec(out);
    if (refused) throw new Error(`dovecot refused an APPEND: ${refused[0]}`);
    return parseFetches(session(o, fetchScript(items)), appends.length);
  } finally {
    rmSync(o.dir, { recursive: true, force: true });
  }
}

/**
 * Runs each script as one imap session, in order, on one fresh maildir (a command that needs
 * what an earlier APPEND saved goes in a later session: Dovecot may read ahead of a save);
 * each session's output as latin1.
 */
export function dovecotSessions(scripts: Buffer[]): string[] {
  const o = oracleDir();
  try {
    return scripts.map((s) => session(o, s).toString("latin1"));
  } finally {
    rmSync(o.dir, { recursive: true, force: true });
  }
}

/** The `* n FETCH (...)` responses in `out`, one map item → value per message number. */
export function parseFetches(out: Buffer, count: number): Array<Record<string, Val>> {
  const result: Array<Record<string, Val>> = Array.from({ length: count }, () => ({}));
  let at = 0;
  for (;;) {
    const i = out.indexOf("* ", at);
    if (i < 0) break;
    const m = /^\* (\d+) FETCH /.exec(out.toString("latin1", i, i + 40));
    if (!m) {
      at = out.indexOf("\n", i) + 1;
      if (at === 0) break;
      continue;
    }
    const r = new Reader(out);
    r.pos = i + m[0].length;
    const list = r.value() as Val[];
    const rec: Record<string, Val> = {};
    for (let k = 0; k + 1 < list.length; k += 2) rec[(list[k] as { atom: string }).atom] = list[k + 1];
    result[Number(m[1]) - 1] = rec;
    at = r.pos;
  }
  return result;
}
