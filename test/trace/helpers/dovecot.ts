// Starts a private Dovecot (2.3) on a loopback port for tests: temp config, passwd-file passdb
// with one user, a Maildir made from given messages, ssl off. Stopped with stop().
import { execFile, spawn } from "node:child_process";
import { chown, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Runs dovecot without pipes: the master daemonises and would keep a pipe open forever. */
function dovecot(args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const p = spawn(DOVECOT, args, { stdio: "ignore" });
    p.once("error", reject);
    p.once("exit", (code) => resolve(code ?? 1));
  });
}

async function waitGone(pidFile: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    // Gone, or a zombie (a container's init may never reap the daemonised master).
    const pid = Number(await readFile(pidFile, "utf8").catch(() => "0"));
    const stat = pid > 0 ? await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "") : "";
    if (stat === "" || / Z /.test(stat.replace(/^.*\)/, ")"))) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}
export const DOVECOT = "/usr/sbin/dovecot";

export interface Dovecot {
  port: number;
  user: string;
  password: string;
  dir: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function idOf(name: string, flag: "-u" | "-g"): Promise<number> {
  return Number((await run("id", [flag, name])).stdout.trim());
}

async function chownTree(p: string, uid: number, gid: number): Promise<void> {
  await chown(p, uid, gid);
  if ((await stat(p)).isDirectory()) {
    for (const e of await readdir(p)) await chownTree(path.join(p, e), uid, gid);
  }
}

/** messages: raw RFC 5322 texts (CRLF), delivered in order into INBOX (all seen when seen=true). */
export async function startDovecot(messages: string[]): Promise<Dovecot> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "asimap-dovecot-"));
  const user = "tester";
  const password = "secret";
  const root = process.getuid?.() === 0;
  // Dovecot's auth and mail processes run as other users: they must reach the files.
  await run("chmod", ["0755", dir]);
  // Dovecot refuses to run login and mail processes as root: use its own users then.
  const uid = root ? await idOf("dovecot", "-u") : process.getuid!();
  const gid = root ? await idOf("dovecot", "-g") : process.getgid!();
  const me = (await run("id", ["-un"])).stdout.trim();
  const maildir = path.join(dir, "home", user, "Maildir");
  for (const sub of ["cur", "new", "tmp"]) await mkdir(path.join(maildir, sub), { recursive: true });
  const base = 1_700_000_000;
  for (const [i, msg] of messages.entries()) {
    const file = path.join(maildir, "cur", `${base + i}.M${i}P1.test,S=${Buffer.byteLength(msg)}:2,S`);
    await writeFile(file, msg);
    // INTERNALDATE of a Maildir message is its mtime: keep them fixed.
    await run("touch", ["-d", `@${base + i * 3600}`, file]);
  }
  await mkdir(path.join(dir, "run"));
  await writeFile(path.join(dir, "passwd"), `${user}:{PLAIN}${password}\n`);
  const port = await freePort();
  const conf = `
protocols = imap
listen = 127.0.0.1
base_dir = ${dir}/run
state_dir = ${dir}/run/state
instance_name = asimap-test-${path.basename(dir)}
ssl = no
disable_plaintext_auth = no
log_path = ${dir}/dovecot.log
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/passwd
}
userdb {
  driver = static
  args = uid=${uid} gid=${gid} home=${dir}/home/%u
}
mail_location = maildir:~/Maildir
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
service pop3-login {
  inet_listener pop3 {
    port = 0
  }
}
service submission-login {
  inet_listener submission {
    port = 0
  }
}
default_internal_user = ${root ? "dovecot" : me}
default_login_user = ${root ? "dovenull" : me}
first_valid_uid = ${Math.min(uid, 1)}
`;
  const confPath = path.join(dir, "dovecot.conf");
  await writeFile(confPath, conf);
  if (root) await chownTree(path.join(dir, "home"), uid, gid);
  const code = await dovecot(["-c", confPath]);
  if (code !== 0) throw new Error(`dovecot did not start (exit ${code}); see ${dir}/dovecot.log`);
  // Wait until it accepts connections (the master forks its listeners right away).
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, "127.0.0.1");
      s.once("data", () => (s.destroy(), resolve(true)));
      s.once("error", () => resolve(false));
    });
    if (ok) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    user,
    password,
    dir,
    stop: async () => {
      const pid = path.join(dir, "run", "master.pid");
      await dovecot(["-c", confPath, "stop"]);
      await waitGone(pid);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
