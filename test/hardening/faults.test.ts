// Faults: the user process (spawned by the real asimapd, running as the mail's owner) is killed
// with SIGKILL at random moments during APPEND, COPY, MOVE, EXPUNGE, RENAME and flag writes; the
// mail root sits on a full tmpfs; a folder is read-only. Afterwards nothing is lost or twice,
// nmh and IMAP see no half-written file, the state database passes its integrity check, the
// server serves again, and no client ever got OK for something that did not happen.
import Database from "better-sqlite3";
import { execFile, execFileSync, spawnSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, isRoot, until } from "../daemon/harness.js";
import { messageFiles, startLive, type Live } from "./live.js";

const run = promisify(execFile);
const ROUNDS = Number(process.env.ASIMAP_FAULT_ROUNDS ?? 4);
let seed = Number(process.env.ASIMAP_FAULT_SEED ?? 7);
/** a small deterministic PRNG: kill delays are random but reproducible */
function rand(n: number): number {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed % n;
}

let nextId = 1;
function message(id: number, size = 64 * 1024): string {
  const line = `filler ${id} `.padEnd(76, "x") + "\r\n";
  return `X-Fault-Id: ${id}\r\nSubject: fault ${id}\r\n\r\n${line.repeat(Math.ceil(size / 78))}end-of-${id}\r\n`;
}

/** id → count of intact copies in a folder; a file without its last line is half-written. */
function idsIn(maildir: string, folder: string): Map<number, number> {
  const out = new Map<number, number>();
  const dir = join(maildir, folder);
  if (!existsSync(dir)) return out;
  for (const f of messageFiles(maildir, folder)) {
    const text = readFileSync(join(dir, f), "latin1");
    const m = /^X-Fault-Id: (\d+)$/m.exec(text);
    if (!m) continue; // the fixture's own mail
    expect(text.endsWith(`end-of-${m[1]}\n`), `${folder}/${f} is half-written`).toBe(true);
    out.set(Number(m[1]), (out.get(Number(m[1])) ?? 0) + 1);
  }
  return out;
}

/** nmh reads every folder without complaint (scan fails on a broken .mh_sequences). */
async function nmhScans(l: Live, maildir: string, folder: string): Promise<void> {
  const home = join(l.dir, "nmh-home");
  mkdirSync(home, { recursive: true });
  writeFileSync(join(home, ".mh_profile"), `Path: ${maildir}\n`);
  const r = spawnSync("/usr/bin/mh/scan", [`+${folder}`], { env: { ...process.env, HOME: home, MH: join(home, ".mh_profile") }, encoding: "utf8" });
  expect(r.status === 0 || /no messages/.test(r.stderr), `scan +${folder}: ${r.stderr}`).toBe(true);
  expect(r.stderr).not.toMatch(/bad|unable|error/i);
}

function dbIntact(maildir: string): void {
  const db = new Database(join(maildir, ".asimap-state.sqlite"), { readonly: true, fileMustExist: true });
  try {
    expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
  } finally {
    db.close();
  }
}

/** Sends a command, kills the user process after `delay` ms, returns the tagged answer if any. */
async function killDuring(l: Live, c: Client, command: string, delay: number): Promise<string | null> {
  const pid = l.userPid()!;
  let tagged: string | null = null;
  const answer = c.cmd(command).then((r) => (tagged = r.at(-1)!)).catch(() => null);
  await new Promise((r) => setTimeout(r, delay));
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    /* already gone */
  }
  await answer;
  await until(() => l.userPid() !== pid, 5000);
  c.close();
  return tagged;
}

/** After the crash: a new login works, IMAP sees exactly the files, the database is intact. */
async function servesAgain(l: Live, maildir: string, folders: string[]): Promise<Client> {
  const c = await l.login();
  for (const f of folders) {
    const name = f === "inbox" ? "INBOX" : f;
    const r = await c.cmd(`STATUS ${name} (MESSAGES)`);
    if (!existsSync(join(maildir, f))) {
      expect(r.at(-1)).toMatch(/ NO /);
      continue;
    }
    expect(r.at(-1), `STATUS ${name}`).toMatch(/ OK /);
    expect(Number(/MESSAGES (\d+)/.exec(r.join("\n"))![1]), `IMAP count of ${name} = files`).toBe(messageFiles(maildir, f).length);
    await nmhScans(l, maildir, f);
  }
  dbIntact(maildir);
  return c;
}

describe.runIf(isRoot)("kill -9 of the user process mid-command", () => {
  let l: Live;
  let mail: string;
  beforeAll(async () => {
    l = await startLive(["fk"]);
    mail = l.mail.get("fk")!;
    const c = await l.login();
    expect((await c.cmd("CREATE dest")).at(-1)).toMatch(/ OK /);
    c.close();
  });
  afterAll(async () => l?.close());

  it(`APPEND (${ROUNDS} rounds, random kill points): OK means stored once; no answer means 0 or 1 intact copy`, async () => {
    for (let i = 0; i < ROUNDS; i++) {
      const c = await l.login();
      const id = nextId++;
      const body = message(id, 256 * 1024);
      const tagged = await killDuring(l, c, `APPEND INBOX {${body.length}+}\r\n${body}`, rand(40));
      const n = idsIn(mail, "inbox").get(id) ?? 0;
      if (tagged?.includes(" OK ")) expect(n, `APPEND ${id} answered OK`).toBe(1);
      else expect(n).toBeLessThanOrEqual(1);
      (await servesAgain(l, mail, ["inbox"])).close();
    }
  });

  async function copyOrMove(move: boolean): Promise<void> {
    for (let i = 0; i < ROUNDS; i++) {
      const c = await l.login();
      const ids = [nextId++, nextId++, nextId++, nextId++];
      for (const id of ids) {
        const b = message(id);
        expect((await c.cmd(`APPEND INBOX {${b.length}+}\r\n${b}`)).at(-1)).toMatch(/ OK /);
      }
      await c.cmd("SELECT INBOX");
      const search = await c.cmd(`UID SEARCH HEADER X-Fault-Id ${ids[0]}`);
      const first = Number(/^\* SEARCH (\d+)/m.exec(search.join("\n"))![1]);
      const tagged = await killDuring(l, c, `UID ${move ? "MOVE" : "COPY"} ${first}:${first + 3} dest`, rand(15));
      const src = idsIn(mail, "inbox");
      const dst = idsIn(mail, "dest");
      for (const id of ids) {
        const s = src.get(id) ?? 0;
        const d = dst.get(id) ?? 0;
        expect(d, `copies of ${id} in dest`).toBeLessThanOrEqual(1);
        if (!move) expect(s, `${id} in the source after COPY`).toBe(1);
        else expect(s + d, `${id} exactly once after MOVE (src ${s}, dest ${d}; answer ${tagged})`).toBe(1);
        if (tagged?.includes(" OK ")) expect(d, `${id} in dest after an OK`).toBe(1);
      }
      (await servesAgain(l, mail, ["inbox", "dest"])).close();
    }
  }

  it("COPY: every message stays once in the source, at most once in the destination, all of them after OK", async () => {
    await copyOrMove(false);
  });

  it("MOVE: every message is in exactly one of the two folders", async () => {
    await copyOrMove(true);
  });

  it("EXPUNGE and STORE (.mh_sequences writes): undeleted mail survives; sequences stay readable", async () => {
    // messages appended with \Deleted in earlier rounds may survive a killed EXPUNGE and go in a
    // later one: they are never mail to keep
    const dels = new Set<number>();
    for (let i = 0; i < ROUNDS; i++) {
      const c = await l.login();
      await c.cmd("SELECT INBOX");
      const keep = [...idsIn(mail, "inbox")].filter(([id]) => !dels.has(id));
      const del = nextId++;
      dels.add(del);
      const b = message(del);
      expect((await c.cmd(`APPEND INBOX (\\Deleted) {${b.length}+}\r\n${b}`)).at(-1)).toMatch(/ OK /);
      await c.cmd("NOOP");
      const cmd = i % 2 === 0 ? "EXPUNGE" : "STORE 1:* +FLAGS (\\Flagged todo$x)";
      const tagged = await killDuring(l, c, cmd, rand(10));
      const after = idsIn(mail, "inbox");
      for (const [id] of keep) expect(after.get(id), `${id} kept`).toBe(1);
      for (const id of dels) expect(after.get(id) ?? 0, `${id} deleted, never duplicated`).toBeLessThanOrEqual(1);
      if (cmd === "EXPUNGE" && tagged?.includes(" OK ")) expect(after.get(del) ?? 0).toBe(0);
      const c2 = await servesAgain(l, mail, ["inbox"]);
      // flags as IMAP sees them match the sequences file (nmh's view)
      await c2.cmd("SELECT INBOX");
      const flagged = (await c2.cmd("SEARCH FLAGGED")).join("\n");
      const seq = spawnSync("/usr/bin/mh/mark", ["+inbox", "-list", "-sequence", "flagged"], {
        env: { ...process.env, HOME: join(l.dir, "nmh-home"), MH: join(l.dir, "nmh-home/.mh_profile") }, encoding: "utf8",
      });
      expect(seq.status, seq.stderr).toBe(0);
      if (!/\* SEARCH\s*$/m.test(flagged)) expect(seq.stdout).toMatch(/flagged: \d/);
      c2.close();
    }
  });

  it("RENAME: the folder is under exactly one name with all its messages", async () => {
    for (let i = 0; i < ROUNDS; i++) {
      const c = await l.login();
      const from = `r${i}`;
      const to = `s${i}`;
      expect((await c.cmd(`CREATE ${from}`)).at(-1)).toMatch(/ OK /);
      const ids = [nextId++, nextId++];
      for (const id of ids) {
        const b = message(id);
        expect((await c.cmd(`APPEND ${from} {${b.length}+}\r\n${b}`)).at(-1)).toMatch(/ OK /);
      }
      const tagged = await killDuring(l, c, `RENAME ${from} ${to}`, rand(8));
      const a = existsSync(join(mail, from));
      const b = existsSync(join(mail, to));
      expect(a !== b, `exactly one of ${from}/${to} exists (${a}, ${b})`).toBe(true);
      if (tagged?.includes(" OK ")) expect(b).toBe(true);
      const there = idsIn(mail, b ? to : from);
      for (const id of ids) expect(there.get(id)).toBe(1);
      const c2 = await servesAgain(l, mail, [b ? to : from]);
      const list = (await c2.cmd('LIST "" "*"')).join("\n");
      expect(list).toContain(b ? ` ${to}` : ` ${from}`);
      expect(list).not.toContain(b ? ` ${from}\r` : ` ${to}\r`);
      c2.close();
    }
  });
});

describe.runIf(isRoot)("full disk (2 MiB tmpfs) and read-only folders", () => {
  let l: Live;
  let mail: string;
  let mnt: string | null = null;
  beforeAll(async () => {
    l = await startLive(["fd", "ro"]);
    mail = l.mail.get("fd")!;
  });
  afterAll(async () => {
    await l?.d.stop();
    if (mnt) spawnSync("umount", [mnt]);
    await l?.close();
  });

  it("read-only folder: APPEND, COPY, STORE, EXPUNGE answer NO; nothing changes; chmod back and it works", async () => {
    const c = await l.login("ro");
    const mail = l.mail.get("ro")!;
    expect((await c.cmd("CREATE ro")).at(-1)).toMatch(/ OK /);
    const b = message(nextId++, 1024);
    expect((await c.cmd(`APPEND ro {${b.length}+}\r\n${b}`)).at(-1)).toMatch(/ OK /);
    const dir = join(mail, "ro");
    const before = readdirSync(dir).sort();
    // the folder and its .mh_sequences both read-only (with the directory alone read-only, a
    // STORE under nmh's lock rewrites .mh_sequences in place and succeeds, as nmh's mark does)
    const seqFile = join(dir, ".mh_sequences");
    chmodSync(seqFile, 0o444);
    chmodSync(dir, 0o555);
    try {
      const b2 = message(nextId++, 1024);
      expect((await c.cmd(`APPEND ro {${b2.length}+}\r\n${b2}`)).at(-1)).toMatch(/ NO /);
      await c.cmd("SELECT INBOX");
      expect((await c.cmd("COPY 1 ro")).at(-1)).toMatch(/ NO /);
      await c.cmd("SELECT ro");
      const st = (await c.cmd("STORE 1 +FLAGS (\\Deleted)")).at(-1)!;
      expect(st).toMatch(/ NO /);
      expect((await c.cmd("EXPUNGE")).at(-1)).toMatch(/ (NO|OK) /);
      expect(readdirSync(dir).sort()).toEqual(before);
      expect((await c.cmd("FETCH 1 (FLAGS)")).at(-1)).toMatch(/ OK /);
    } finally {
      chmodSync(dir, 0o755);
      chmodSync(seqFile, 0o644);
    }
    const b3 = message(nextId++, 1024);
    expect((await c.cmd(`APPEND ro {${b3.length}+}\r\n${b3}`)).at(-1)).toMatch(/ OK /);
    c.close();
    dbIntact(mail);
  });
  it("APPEND onto a full disk: NO, never a false OK, nothing half-written, serves again once there is room", async () => {
    // move the mail onto a small tmpfs (same path, so the running daemon's pwfile still points at it)
    const c0 = await l.login();
    c0.close();
    const pid = l.userPid();
    if (pid) process.kill(pid, "SIGKILL");
    await until(() => l.userPid() === undefined, 5000);
    const saved = `${mail}.saved`;
    execFileSync("mv", [mail, saved]);
    mkdirSync(mail);
    const m = spawnSync("mount", ["-t", "tmpfs", "-o", "size=2m", "tmpfs", mail]);
    if (m.status !== 0) {
      console.log(`SKIPPED: cannot mount a tmpfs (${m.stderr}); the full-disk test needs root and mount`);
      execFileSync("rm", ["-rf", mail]);
      execFileSync("mv", [saved, mail]);
      return;
    }
    mnt = mail;
    execFileSync("cp", ["-a", `${saved}/.`, mail]);
    const owner = execFileSync("stat", ["-c", "%u:%g", saved], { encoding: "utf8" }).trim().split(":").map(Number);
    chownSync(mail, owner[0], owner[1]);
    chmodSync(mail, 0o755);
    const c = await l.login();
    const oked: number[] = [];
    let refused = 0;
    for (let i = 0; i < 40 && refused < 3; i++) {
      const id = nextId++;
      const b = message(id, 128 * 1024);
      const r = await c.cmd(`APPEND INBOX {${b.length}+}\r\n${b}`);
      if (r.at(-1)!.includes(" OK ")) oked.push(id);
      else {
        expect(r.at(-1)).toMatch(/ NO \[OVERQUOTA\]/);
        refused++;
      }
    }
    expect(refused, "the disk filled up").toBeGreaterThan(0);
    const inbox = idsIn(mail, "inbox"); // throws on a half-written file
    for (const id of oked) expect(inbox.get(id), `OK'd ${id} is there`).toBe(1);
    for (const [id] of inbox) expect(oked).toContain(id);
    // only the store's complete guard copies (kept a while against nmh inc) may remain
    expect(readdirSync(join(mail, "inbox")).filter((f) => !/^[0-9]+$|^\.mh_sequences$|^,|^\.asimap-tmp-.*-guard$/.test(f)),
      "no partial temporaries left").toEqual([]);
    // the server still answers; after making room APPEND works again
    expect((await c.cmd("NOOP")).at(-1)).toMatch(/ OK /);
    for (const f of messageFiles(mail, "inbox").slice(-4)) rmSync(join(mail, "inbox", f));
    await c.cmd("SELECT INBOX");
    const b = message(nextId++, 1024);
    expect((await c.cmd(`APPEND INBOX {${b.length}+}\r\n${b}`)).at(-1)).toMatch(/ OK /);
    c.close();
    dbIntact(mail);
  });

});
