// Starts and tracks the user processes. A user process serves every connection of the users
// given to it; by default those are users whose mail has one owner (uid and gid), so virtual
// users under one uid share processes: at most `perOwner` of them (one per CPU), a user always
// in the same one while it lives, a new user in the one serving fewest. With `perOwner` 0 each
// user gets a process of its own. The process listens on a unix socket in a directory only the
// owner (and root) may enter; the root connects there for each logged-in connection. Two
// simultaneous first logins share one start; a process that has died or is lingering out is
// replaced on the next login.
//
// Every user process starts as a spare (`--spare`): it loads its code, says so, and waits for
// an assignment naming the owner it becomes. `poolSize` spares are kept started ahead of logins
// (a login takes one and a new one is started behind it), so a first login does not wait for
// the ~0.4 s of CPU a start costs; with poolSize 0 a spare is started for each new process and
// assigned at once. A spare that dies is replaced (after a growing pause if spares keep dying).
// A spare started from the startup snapshot that dies as a snapshot that cannot be loaded dies
// (V8 flags in ASIMAP_USER_NODE_OPTIONS or NODE_OPTIONS, a blob from another build of node)
// switches every later start to the fallback program, once, with an error in the log.
import { spawn, type ChildProcess } from "node:child_process";
import { promises as fsp } from "node:fs";
import { randomBytes, timingSafeEqual } from "node:crypto";
import { connect, type Socket } from "node:net";
import { availableParallelism } from "node:os";
import * as path from "node:path";
import { userProcessEnv } from "./user-entry.js";

export interface SupervisorLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface SupervisorOptions {
  /** directory holding one 0700 sub-directory per user (must be traversable by users) */
  runDir: string;
  /** node arguments that start the user process program (see user-entry.ts) */
  userEntry: string[];
  /** what to start instead if a process started from `userEntry` fails to load (the snapshot's
   *  fallback, the bundle) */
  userEntryFallback?: string[];
  /** extra node options for user processes (e.g. --cpu-prof), from ASIMAP_USER_NODE_OPTIONS */
  nodeOptions: string[];
  /** arguments passed on to every user process (--debug, --log-config, limits) */
  userArgs: string[];
  /** tracing on at the start (switched by setTrace, given to every process assigned) */
  trace?: boolean;
  log: SupervisorLogger;
  /** a finished trace line from a user process */
  onTrace?: (user: string, line: string) => void;
  /** how long a user process may take to start, ms */
  startTimeoutMs?: number;
  /** user processes kept started ahead of logins (default 1; 0 = start one at each first login) */
  poolSize?: number;
  /** user processes loading their code at once (default: the number of CPUs, at least 2) */
  maxLoading?: number;
  /** user processes shared by the users whose mail one owner has (default: the number of
   *  CPUs); 0 = a process for each user */
  perOwner?: number;
}

/** Who owns a user's mail directory (the root stats it before each hand-over). */
export interface MailOwner {
  uid: number;
  gid: number;
}

interface UserProc {
  /** what groups the users it may serve (see ownerKey) */
  key: string;
  sockDir: string;
  /** the users given to it; each stays with it until it says the user left */
  users: Set<string>;
  /** hand-offs sent per user (compared with the count in a `left` message) */
  sent: Map<string, number>;
  /** the line the process writes first on every connection, proving it is this process */
  proof: string;
  child: ChildProcess | null;
  ready: Promise<string>; // resolves to the socket path
  /** its assignment is sent: later trace switches go to it (the IPC channel keeps the order) */
  assigned: boolean;
  exited: Promise<void>;
  closing: boolean;
}

type FromUser = { t: "spare" } | { t: "ready"; socket: string } | { t: "trace"; user: string; line: string } | { t: "closing" } |
  { t: "left"; user: string; seen: number };

/** A started process: a spare until `proc` is set, then the process of that owner's users. */
interface Worker {
  child: ChildProcess;
  /** the program it was started from */
  entry: string[];
  /** ended by us as started from a program found unusable (its exit is not a spare's death) */
  retired?: boolean;
  /** resolves once the code is loaded and it waits for an assignment; rejects if it dies first */
  loaded: Promise<void>;
  proc: UserProc | null;
  /** settles the assigned user's `ready` */
  settle: { resolve(sock: string): void; reject(e: Error): void } | null;
  /** settles the assigned user's `exited` */
  onExit: (() => void) | null;
}

const MAX_SPARE_RESTART_DELAY_MS = 60_000;
/** node's exit code when it cannot load a startup snapshot (and the signals of one that crashes) */
const SNAPSHOT_FAILURE_EXIT = 14;
const CRASH_SIGNALS = new Set(["SIGSEGV", "SIGBUS", "SIGILL", "SIGABRT"]);

export class Supervisor {
  /** user → the process serving it; owner key → the processes of that owner */
  private byUser = new Map<string, UserProc>();
  private byOwner = new Map<string, UserProc[]>();
  private spares: Worker[] = [];
  private stopping = false;
  private spareRestartDelayMs = 0;
  private refillTimer: NodeJS.Timeout | null = null;
  /** processes started and not yet loaded; logins waiting for one of those to finish */
  private loading = 0;
  private loadWaiters: Array<() => void> = [];

  private entry: string[];
  private traceOn: boolean;

  constructor(private readonly opts: SupervisorOptions) {
    this.entry = opts.userEntry;
    this.traceOn = opts.trace ?? false;
  }

  /** A process from the primary program died while loading, as a snapshot that cannot load does:
   *  start the fallback program from now on. */
  private fellBack(w: Worker, code: number | null, signal: NodeJS.Signals | null): boolean {
    const fallback = this.opts.userEntryFallback;
    if (!fallback || w.entry !== this.opts.userEntry || this.entry === fallback) return false;
    if (code !== SNAPSHOT_FAILURE_EXIT && !(signal && CRASH_SIGNALS.has(signal))) return false;
    this.entry = fallback;
    this.opts.log.error({ childPid: w.child.pid, code, signal, from: this.opts.userEntry, to: fallback },
      "user process could not start from its program (a startup snapshot unusable here?); starting the fallback from now on");
    // spares already started from it would die the same way, maybe after a login took one
    for (const s of this.spares.filter((s) => s.entry !== fallback)) {
      this.spares.splice(this.spares.indexOf(s), 1);
      s.retired = true;
      s.child.kill("SIGTERM");
    }
    return true;
  }

  private get poolSize(): number {
    return this.opts.poolSize ?? 1;
  }

  /** Starts spares up to the pool size (call once the server listens; again after each use). */
  fillPool(): void {
    if (this.stopping || this.refillTimer) return;
    while (this.spares.length < this.poolSize && this.loading < this.maxLoading) this.spares.push(this.spawnWorker());
  }

  // Loading is pure CPU: 50 processes loading at once on 2 CPUs all finish near the end of the
  // burst, where started a few at a time the first logins are served early (the burst's total
  // CPU is about the same). Waiting logins go before refilling the pool.
  private get maxLoading(): number {
    return this.opts.maxLoading ?? Math.max(2, availableParallelism());
  }

  private loadSlot(): Promise<void> {
    if (this.loading < this.maxLoading) return Promise.resolve();
    return new Promise((res) => this.loadWaiters.push(res));
  }

  private loadDone(): void {
    this.loading--;
    const next = this.loadWaiters.shift();
    if (next) next();
    else this.fillPool();
  }

  /** user → pid of its live process (a debugging and test aid) */
  pids(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [u, p] of this.byUser) if (p.child?.pid && !p.closing) out[u] = p.child.pid;
    return out;
  }

  private allProcs(): UserProc[] {
    return [...this.byOwner.values()].flat();
  }

  /** Tracing on or off for every user process, and for each assigned later (SIGUSR1 to the
   *  root). Told over IPC, never by a signal: a process still starting could take SIGUSR1 as
   *  Node's call to open its inspector (src/signal-guard.ts). Returns how many were told. */
  setTrace(on: boolean): number {
    this.traceOn = on;
    let n = 0;
    for (const p of this.allProcs()) {
      if (p.assigned && p.child?.connected) {
        p.child.send({ t: "trace", on }, () => undefined);
        n++;
      }
    }
    return n;
  }

  get tracing(): boolean {
    return this.traceOn;
  }

  /** A connected socket to the process serving the user, starting one if needed. */
  async connect(user: string, maildir: string, owner: MailOwner): Promise<Socket> {
    for (let attempt = 0; ; attempt++) {
      const proc = this.get(user, maildir, owner);
      try {
        const sock = await connectUnix(await proc.ready, proc.proof);
        // (the caller writes the hand-off at once)
        proc.sent.set(user, (proc.sent.get(user) ?? 0) + 1);
        return sock;
      } catch (e) {
        // A process lingering out (or dying) between lookup and connect: start a fresh one once.
        // A process we cannot reach (or that did not prove itself) is ended and replaced.
        this.forget(proc);
        if (proc.child && proc.child.exitCode === null) {
          this.opts.log.warn({ user, childPid: proc.child.pid, err: (e as Error).message }, "user process unreachable; ending it");
          proc.child.kill("SIGTERM");
        }
        if (attempt >= 1 || this.stopping) throw e;
      }
    }
  }

  private get perOwner(): number {
    return this.opts.perOwner ?? availableParallelism();
  }

  /** Users with the same key may share a process: the mail's owner when we are root (the
   *  process becomes it), everyone when we are not (all run as we do). */
  private ownerKey(user: string, owner: MailOwner): string {
    if (this.perOwner === 0) return `user-${encodeURIComponent(user)}`;
    return process.getuid?.() === 0 ? `uid-${owner.uid}-${owner.gid}` : "shared";
  }

  private get(user: string, maildir: string, owner: MailOwner): UserProc {
    if (this.stopping) throw new Error("server is shutting down");
    const existing = this.byUser.get(user);
    if (existing && live(existing)) return existing;
    if (existing) this.forget(existing);
    if (process.getuid?.() === 0 && owner.uid === 0) throw new Error(`${maildir} is owned by root; refusing to serve it`);
    const key = this.ownerKey(user, owner);
    const group = (this.byOwner.get(key) ?? []).filter(live);
    let proc: UserProc;
    if (group.length < Math.max(1, this.perOwner)) {
      proc = this.start(key, maildir);
      group.push(proc);
    } else {
      proc = group.reduce((a, b) => (b.users.size < a.users.size ? b : a));
    }
    this.byOwner.set(key, group);
    proc.users.add(user);
    this.byUser.set(user, proc);
    return proc;
  }

  /** Drops a process that is dying, lingering out or unreachable: its users go elsewhere next. */
  private forget(proc: UserProc): void {
    for (const u of proc.users) if (this.byUser.get(u) === proc) this.byUser.delete(u);
    const group = this.byOwner.get(proc.key);
    if (!group) return;
    const rest = group.filter((p) => p !== proc);
    if (rest.length) this.byOwner.set(proc.key, rest);
    else this.byOwner.delete(proc.key);
  }

  private start(key: string, maildir: string): UserProc {
    const sockDir = path.join(this.opts.runDir, key);
    let resolveExit!: () => void;
    const proof = `asimapd-user ${randomBytes(24).toString("hex")}`;
    const proc: UserProc = { key, sockDir, users: new Set(), sent: new Map(), proof, child: null, closing: false, assigned: false, ready: Promise.resolve(""),
      exited: new Promise<void>((res) => { resolveExit = res; }) };
    // Registered at once (so a concurrent login shares it); assigned once its directory exists.
    proc.ready = prepareSocketDir(sockDir, maildir).then(() => this.assign(proc, maildir, resolveExit),
      (e: Error) => { resolveExit(); throw e; });
    proc.ready.catch(() => undefined);
    return proc;
  }

  /** Gives the user a spare (a new one if none is left) and waits until it serves. */
  private async assign(proc: UserProc, maildir: string, resolveExit: () => void): Promise<string> {
    let w = this.spares.shift();
    if (!w) {
      await this.loadSlot();
      // (a spare may have come back while we waited: take it rather than start one more)
      w = this.spares.shift();
    }
    if (this.stopping) {
      w?.child.kill("SIGTERM");
      resolveExit();
      throw new Error("server is shutting down");
    }
    w ??= this.spawnWorker();
    this.fillPool();
    const { child } = w;
    w.proc = proc;
    proc.child = child;
    const { key: owner } = proc;
    w.onExit = resolveExit;
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`user process for ${owner} did not start in time`));
        child.kill("SIGKILL");
      }, this.opts.startTimeoutMs ?? 60_000);
      w.settle = {
        resolve: (sock) => { clearTimeout(timer); resolve(sock); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      };
      w.loaded.then(() => {
        this.opts.log.info({ owner, users: [...proc.users], childPid: child.pid }, "user process assigned");
        child.send({ t: "assign", maildir, socketDir: proc.sockDir, proof: proc.proof, trace: this.traceOn }, (e) => {
          if (e) w.settle?.reject(e);
        });
        proc.assigned = true;
      }, (e: Error) => w.settle?.reject(e));
    });
  }

  /** Starts a spare: it loads the code, reports `spare`, and waits (as root, serving nothing). */
  private spawnWorker(): Worker {
    const { log } = this.opts;
    const entry = this.entry;
    const args = [...this.opts.nodeOptions, ...entry, "--spare", ...this.opts.userArgs];
    const child = spawn(process.execPath, args, { stdio: ["ignore", "inherit", "inherit", "ipc"], env: userProcessEnv() });
    let loadedOk!: () => void;
    let loadedFail!: (e: Error) => void;
    let loaded = false;
    const w: Worker = { child, entry, proc: null, settle: null, onExit: null,
      loaded: new Promise<void>((res, rej) => { loadedOk = res; loadedFail = rej; }) };
    w.loaded.catch(() => undefined);
    // Counted as loading until it says `spare` or dies; one that never loads is ended.
    this.loading++;
    const loadTimer = setTimeout(() => child.kill("SIGKILL"), this.opts.startTimeoutMs ?? 60_000);
    w.loaded.finally(() => {
      clearTimeout(loadTimer);
      this.loadDone();
    }).catch(() => undefined);
    log.debug({ childPid: child.pid }, "spare user process started");
    child.on("message", (m: FromUser) => {
      if (m?.t === "spare") {
        loaded = true;
        this.spareRestartDelayMs = 0;
        loadedOk();
        return;
      }
      const proc = w.proc;
      if (!proc) return; // a spare has nothing else to say
      if (m?.t === "ready") {
        // The socket is where we expect it, whatever the message says.
        w.settle?.resolve(path.join(proc.sockDir, `imap-${child.pid}.sock`));
      } else if (m?.t === "trace") {
        // only for a user given to it: a process cannot write into another owner's traces
        if (typeof m.line === "string" && typeof m.user === "string" && proc.users.has(m.user)) {
          this.opts.onTrace?.(m.user, m.line);
        }
      } else if (m?.t === "left") {
        // The user's engine there closed. Unless a hand-off is on its way to it (it then opens
        // the user anew and says `left` again later), the user may go to another process now:
        // a user is never served by two processes at once.
        if (typeof m.user === "string" && proc.sent.get(m.user) === m.seen) {
          proc.users.delete(m.user);
          if (this.byUser.get(m.user) === proc) this.byUser.delete(m.user);
        }
      } else if (m?.t === "closing") {
        proc.closing = true;
        this.forget(proc);
      }
    });
    child.on("error", (e) => {
      loadedFail(e);
      w.settle?.reject(e);
    });
    child.once("exit", (code, signal) => {
      const proc = w.proc;
      const err = new Error(`user process${proc ? ` for ${proc.key}` : ""} exited (${signal ?? code})`);
      loadedFail(err);
      w.settle?.reject(err);
      if (!proc) {
        // A spare died unused: replace it, pausing longer each time spares die in a row.
        const i = this.spares.indexOf(w);
        if (i >= 0) this.spares.splice(i, 1);
        if (this.stopping || w.retired) return;
        if (!loaded && this.fellBack(w, code, signal)) {
          this.fillPool();
          return;
        }
        log.warn({ childPid: child.pid, code, signal }, "spare user process exited; replacing it");
        this.spareRestartDelayMs = Math.min(Math.max(this.spareRestartDelayMs * 2, 500), MAX_SPARE_RESTART_DELAY_MS);
        this.refillLater(this.spareRestartDelayMs);
        return;
      }
      this.forget(proc);
      if (!loaded && !this.stopping) this.fellBack(w, code, signal);
      w.onExit?.();
      log[code === 0 ? "info" : "warn"]({ owner: proc.key, users: [...proc.users], childPid: child.pid, code, signal }, "user process exited");
    });
    return w;
  }

  private refillLater(ms: number): void {
    if (this.refillTimer) return;
    this.refillTimer = setTimeout(() => {
      this.refillTimer = null;
      this.fillPool();
    }, ms);
    this.refillTimer.unref();
  }

  /** SIGTERM to every user process; waits for them (SIGKILL after graceMs). */
  async shutdown(graceMs = 20_000): Promise<void> {
    this.stopping = true;
    if (this.refillTimer) clearTimeout(this.refillTimer);
    const spares = this.spares.splice(0);
    const spareExits = spares.map((w) => new Promise<void>((res) => {
      if (w.child.exitCode !== null || w.child.signalCode !== null) return res();
      w.child.once("exit", () => res());
      w.child.kill("SIGTERM");
    }));
    const procs = this.allProcs();
    for (const p of procs) p.child?.kill("SIGTERM");
    const all = Promise.all([...procs.map((p) => p.exited), ...spareExits]);
    let t: NodeJS.Timeout | undefined;
    const late = new Promise<"late">((res) => { t = setTimeout(() => res("late"), graceMs); });
    if ((await Promise.race([all, late])) === "late") {
      for (const p of procs) p.child?.kill("SIGKILL");
      for (const w of spares) w.child.kill("SIGKILL");
      await all;
    }
    clearTimeout(t);
  }
}

/** A process that still takes new connections. */
function live(p: UserProc): boolean {
  return !p.closing && p.child?.exitCode == null && p.child?.signalCode == null;
}

/**
 * A user process's socket directory: mode 0700, owned by the owner of the mail when we are
 * root (root may enter it anyway), so no other local user can reach that process.
 */
async function prepareSocketDir(dir: string, maildir: string): Promise<void> {
  await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
  await fsp.chmod(dir, 0o700);
  if (process.getuid?.() === 0) {
    const st = await fsp.stat(maildir);
    await fsp.chown(dir, st.uid, st.gid);
  }
}

/**
 * Connects to a user process's socket and waits for its proof line before anything is sent.
 * The socket directory belongs to the user, who could replace the socket with a link to some
 * other service's socket; that service cannot say the proof, so it never gets a byte from us.
 */
function connectUnix(p: string, proof: string, timeoutMs = 15_000): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(p);
    let buf = Buffer.alloc(0);
    const fail = (e: Error) => {
      clearTimeout(timer);
      s.destroy();
      reject(e);
    };
    const timer = setTimeout(() => fail(new Error(`no proof from ${p}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      const nl = buf.indexOf(0x0a);
      if (nl < 0) {
        if (buf.length > proof.length + 1) fail(new Error(`wrong proof from ${p}`));
        return;
      }
      s.removeListener("data", onData);
      s.pause();
      const got = buf.subarray(0, nl);
      const want = Buffer.from(proof);
      if (got.length !== want.length || !timingSafeEqual(got, want) || buf.length > nl + 1) {
        return fail(new Error(`wrong proof from ${p}`));
      }
      clearTimeout(timer);
      s.removeListener("error", fail);
      s.removeListener("close", onClose);
      resolve(s);
    };
    const onClose = () => fail(new Error(`${p} closed before its proof`));
    s.on("data", onData);
    s.once("error", fail);
    s.once("close", onClose);
  });
}
