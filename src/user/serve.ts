// The user process: serves every IMAP connection of the users the root gives it (users whose
// mail has one owner; see daemon/supervisor.ts). Started by asimapd (root or not) with an IPC
// channel; started as root it first becomes the owner of the mail directory it is assigned
// for (with that owner's HOME, so the owner's MH profile is the one read: owner-env.ts),
// refuses mail owned by root, and serves no user whose mail another owner has. It listens
// on a unix socket in its 0700 directory, reads each connection's hand-off header and gives the
// connection to that user's engine (host.ts). A user's engine closes `--linger` ms after its
// last connection, the process when it serves nobody; on SIGTERM it exits after every session
// got its BYE. The root switches protocol tracing over IPC (trace-switch.ts; SIGUSR1 to this
// process alone flips it here); SIGUSR2 logs the live memory and, with ASIMAP_PROFILE_DIR, writes
// a CPU profile (profile.ts).
//
// Started with `--spare` (asimapd always starts it so), it loads its code, says `spare` to the
// root and waits for an `assign` message: most of a start's CPU is loading modules, so a spare
// started ahead of time serves a first login at once (like Dovecot's process_min_avail). Until
// assigned it listens on nothing and touches no mail; it drops privileges before it opens a
// store or its socket. Started with `--user` it serves that one user at once (running it by
// hand; the proof then comes from ASIMAPD_USER_PROOF).
//
// Entered from main.ts (the plain ESM entry) or from snapshot-entry.ts (the bundle asimapd starts
// from a V8 startup snapshot, see scripts/build-user-bundle.mjs); both call runUserProcess().
import { promises as fsp, statSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import * as path from "node:path";
import { parseArgs as parseCli } from "node:util";
import { createUserServer } from "../imap/user-server.js";
import { decodeHandoff, type Handoff } from "../protocol/handoff.js";
import { UserHost } from "./host.js";
import { takeOwnerEnv } from "./owner-env.js";
import { createLogger, type Log } from "../log.js";
import { setUpProfiling } from "../cpu-profile.js";
import { claimDebugSignals } from "../signal-guard.js";
import { RotatingTraceFile, TraceRecorder, traceFileName } from "../trace/writer.js";
import { TraceSwitch } from "./trace-switch.js";

const MAX_HEADER = 64 * 1024;

interface Opts {
  spare: boolean;
  user?: string;
  maildir?: string;
  socketDir?: string;
  linger: string;
  debug: boolean;
  logConfig?: string;
  trace: boolean;
  traceBodies: boolean;
  traceDir?: string;
  maxMessageSize?: string;
  fts?: string;
  ftsMaxSize?: string;
  literalMinus: boolean;
  serverAdmin?: string;
}

/** What the root sends a spare: whose mail it serves (the first user's directory names the
 *  owner), where it listens, the line that proves this process to the root, and whether
 *  tracing is on. */
interface Assignment {
  t: "assign";
  maildir: string;
  socketDir: string;
  proof: string;
  trace: boolean;
}

// node:util's parser, not commander: this runs in every user process, commander costs ~20 ms
// of CPU to load and we need no help text here.
function parseArgs(): Opts {
  const { values: v } = parseCli({
    // (explicit: started from a snapshot, parseArgs's own guess at where the arguments begin is off)
    args: process.argv.slice(2),
    options: {
      spare: { type: "boolean", default: false },
      user: { type: "string" },
      maildir: { type: "string" },
      "socket-dir": { type: "string" },
      linger: { type: "string", default: String(30 * 60 * 1000) },
      debug: { type: "boolean", default: false },
      "log-config": { type: "string" },
      trace: { type: "boolean", default: false },
      "trace-bodies": { type: "boolean", default: false },
      "trace-dir": { type: "string" },
      "max-message-size": { type: "string" },
      fts: { type: "string" },
      "fts-max-size": { type: "string" },
      "literal-minus": { type: "boolean", default: false },
      "server-admin": { type: "string" },
    },
    strict: true,
  });
  const o: Opts = { spare: v.spare!, user: v.user, maildir: v.maildir, socketDir: v["socket-dir"], linger: v.linger!,
    debug: v.debug!, logConfig: v["log-config"], trace: v.trace!, traceBodies: v["trace-bodies"]!,
    traceDir: v["trace-dir"], maxMessageSize: v["max-message-size"], fts: v.fts, ftsMaxSize: v["fts-max-size"],
    literalMinus: v["literal-minus"]!, serverAdmin: v["server-admin"] };
  if (!/^[0-9]+$/.test(o.linger)) throw new Error(`--linger: not a number of ms: ${o.linger}`);
  if (o.maxMessageSize !== undefined && !/^[0-9]+$/.test(o.maxMessageSize)) {
    throw new Error(`--max-message-size: not a number of bytes: ${o.maxMessageSize}`);
  }
  if (o.fts !== undefined && !["on", "open", "off"].includes(o.fts)) throw new Error(`--fts: on, open or off, not ${o.fts}`);
  if (o.ftsMaxSize !== undefined && !/^[0-9]+$/.test(o.ftsMaxSize)) throw new Error(`--fts-max-size: not a number of bytes: ${o.ftsMaxSize}`);
  if (!o.spare && !(o.user && o.maildir && o.socketDir)) {
    throw new Error("give --spare, or --user, --maildir and --socket-dir");
  }
  return o;
}

/** A spare waits here (loaded, serving nothing) for the root to name its user. */
function awaitAssignment(): Promise<Assignment> {
  if (!process.send) throw new Error("--spare needs an IPC channel to asimapd");
  return new Promise((resolve, reject) => {
    const onMessage = (m: Partial<Assignment>) => {
      if (m?.t !== "assign") return;
      if (typeof m.maildir !== "string" || typeof m.socketDir !== "string" ||
        typeof m.proof !== "string" || typeof m.trace !== "boolean") {
        return reject(new Error("malformed assignment from asimapd"));
      }
      process.removeListener("message", onMessage);
      resolve(m as Assignment);
    };
    process.on("message", onMessage);
    process.once("disconnect", () => reject(new Error("root process gone before an assignment")));
    // Listening first, then telling the root: it sends the assignment only after this.
    process.send!({ t: "spare" });
  });
}

/** Started as root: become the owner of the mail (never root itself); says whom it became. */
function dropPrivileges(maildir: string): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const st = statSync(maildir);
  if (st.uid === 0) throw new Error(`${maildir} is owned by root; refusing to serve it as root`);
  process.setgroups?.([st.gid]);
  process.setgid?.(st.gid);
  process.setuid?.(st.uid);
  if (process.getuid?.() === 0 || process.geteuid?.() === 0) throw new Error("could not drop root privileges");
  return { uid: st.uid, gid: st.gid };
}

/** Reads the hand-off header line, then hands the socket (with any bytes after it) on. */
function acceptHandoff(sock: Socket, host: UserHost, log: Log, proof: string): void {
  // First prove to the root that it reached this process (see daemon/supervisor.ts).
  if (proof) sock.write(proof + "\n");
  // A reset before a session owns the socket (or of one refused) must not become an uncaught
  // error: that would end the process and every other user's sessions in it.
  const onError = (e: Error) => log.debug({ err: e.message }, "hand-over connection failed");
  sock.on("error", onError);
  let buf = Buffer.alloc(0);
  const onData = (chunk: Buffer) => {
    buf = Buffer.concat([buf, chunk]);
    const nl = buf.indexOf(0x0a);
    if (nl < 0) {
      if (buf.length > MAX_HEADER) sock.destroy();
      return;
    }
    sock.removeListener("data", onData);
    sock.pause();
    try {
      const h = decodeHandoff(buf.subarray(0, nl).toString("utf8"));
      const rest = buf.subarray(nl + 1);
      if (rest.length) sock.unshift(rest);
      // paused above so no byte falls between the two listeners; the engine reads with "data"
      void host.attach(sock, h).then(() => {
        if (sock.isPaused()) sock.resume();
      });
    } catch (e) {
      log.warn({ err: (e as Error).message }, "bad hand-off header; connection dropped");
      sock.destroy();
    }
  };
  sock.on("data", onData);
}

async function main(): Promise<void> {
  const o = parseArgs();
  // Listening before the assignment: the root's next word on tracing may come right behind it.
  const traces = new TraceSwitch(o.trace);
  process.on("SIGUSR1", () => traces.set(!traces.on, "SIGUSR1"));
  process.on("message", (m: { t?: string; on?: unknown }) => {
    if (m?.t === "trace" && typeof m.on === "boolean") traces.set(m.on, "asimapd");
  });
  let job: { maildir: string; socketDir: string; proof: string };
  if (o.spare) {
    process.title = "asimapd-spare";
    // Until assigned SIGTERM ends a spare at once (SIGUSR2 is ignored: runUserProcess claimed it).
    const quit = () => process.exit(0);
    process.on("SIGTERM", quit);
    process.on("SIGINT", quit);
    const a = await awaitAssignment();
    process.removeListener("SIGTERM", quit);
    process.removeListener("SIGINT", quit);
    traces.set(a.trace, "asimapd");
    job = a;
  } else {
    job = { maildir: o.maildir!, socketDir: o.socketDir!, proof: process.env.ASIMAPD_USER_PROOF ?? "" };
    delete process.env.ASIMAPD_USER_PROOF;
  }
  const owner = dropPrivileges(path.resolve(job.maildir));
  // (before any store opens: the store reads the MH profile from HOME)
  const account = owner ? takeOwnerEnv() : null;
  // what we create (state database, folders, messages, temporaries) is for this user only, as
  // nmh's own defaults (Msg-Protect 600, Folder-Protect 700); the inherited umask is often 022
  process.umask(0o077);
  process.title = "asimapd-user";
  const proof = job.proof;
  // (no username here: a process serves several users, each engine's child logger names its own)
  const log = createLogger({ debug: o.debug, logConfig: o.logConfig });
  setUpProfiling(o.user ? `user-${o.user}` : "user", log);
  if (account && "err" in account) {
    log.warn({ uid: owner?.uid, err: account.err }, "the mail owner has no passwd entry: no HOME, so no MH profile (nmh's defaults apply)");
  }

  // Trace lines go to the root (which may write the trace directory) or, when run alone, to
  // the user's trace file directly.
  const traceFiles = new Map<string, RotatingTraceFile>();
  traces.onChange = (on, why) => log.info({ trace: on, by: why }, "tracing switched");

  const host: UserHost = new UserHost({
    lingerMs: Number(o.linger),
    log,
    owner,
    // the root names each connection's mail directory; run by hand, only --user is served
    maildirOf: (h: Handoff) => {
      if (o.spare && h.maildir) return path.resolve(h.maildir);
      if (!o.spare && h.user === o.user) return path.resolve(o.maildir!);
      throw new Error("hand-off names no mail directory this process serves");
    },
    openEngine: async (user, maildir) => {
      const recorder = new TraceRecorder(user, (line) => {
        if (process.send && process.connected) process.send({ t: "trace", user, line });
        else {
          let f = traceFiles.get(user);
          if (!f) traceFiles.set(user, f = new RotatingTraceFile(traceFileName(o.traceDir ?? "/opt/asimap/traces", user)));
          f.writeLine(line);
        }
      }, { bodies: o.traceBodies });
      traces.add(user, recorder);
      try {
        const engine = await createUserServer({
          username: user,
          maildir,
          logger: log.child({ username: user }),
          trace: recorder,
          maxMessageSize: o.maxMessageSize ? Number(o.maxMessageSize) : undefined,
          literalMinus: o.literalMinus,
          serverAdmin: o.serverAdmin,
          fts: { enabled: o.fts !== "off", onOpen: o.fts === "open", maxBytes: o.ftsMaxSize ? Number(o.ftsMaxSize) : undefined },
        });
        log.info({ user, maildir }, "serving user");
        return engine;
      } catch (e) {
        traces.remove(user);
        throw e;
      }
    },
    onUsers: (users) => { process.title = `asimapd-user ${users.join(" ")}`.trimEnd(); },
    onLeft: (user, seen) => {
      traces.remove(user);
      if (process.connected) process.send?.({ t: "left", user, seen });
    },
    onIdle: () => void stop("linger"),
  });

  await fsp.mkdir(job.socketDir, { recursive: true, mode: 0o700 });
  const sockPath = path.join(job.socketDir, `imap-${process.pid}.sock`);
  await fsp.rm(sockPath, { force: true });
  const listener: Server = createServer((s) => acceptHandoff(s, host, log, proof));
  await new Promise<void>((res, rej) => listener.once("error", rej).listen(sockPath, () => res()));
  await fsp.chmod(sockPath, 0o600);

  let stopping = false;
  async function stop(why: string, code = 0): Promise<void> {
    if (stopping) return;
    stopping = true;
    if (process.connected) process.send?.({ t: "closing" });
    listener.close();
    log.info({ why }, "user process stopping");
    try {
      await host.shutdown(why === "linger" ? undefined : "Server shutting down.");
    } catch (e) {
      log.error({ err: (e as Error).stack }, "shutdown failed");
      code = 1;
    }
    for (const f of traceFiles.values()) f.close();
    log.flush?.();
    process.exit(code);
  }

  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("disconnect", () => void stop("root process gone"));
  process.on("uncaughtException", (e) => {
    log.error({ err: e.stack }, "uncaught exception");
    void stop("uncaught exception", 1);
  });

  // how this process was started (snapshot-entry.ts says snapshot or bundle; main.ts neither)
  const start = (globalThis as Record<symbol, unknown>)[Symbol.for("asimap.userStart")] ?? "plain";
  log.info({ maildir: job.maildir, uid: process.getuid?.(), owner: process.env.USER, home: process.env.HOME, socket: sockPath, start },
    "user process ready");
  process.send?.({ t: "ready", socket: sockPath });
}

/** Runs the user process; any error before it serves ends it with a one-line message. */
export function runUserProcess(): void {
  claimDebugSignals();
  main().catch((e: unknown) => {
    process.stderr.write(`asimapd-user: ${(e as Error).message}\n`);
    process.exit(3);
  });
}
