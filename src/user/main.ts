#!/usr/bin/env node
// The user process: serves every IMAP connection of one user. Started by asimapd (root or
// not) with an IPC channel; started as root it first becomes the owner of the user's mail
// directory, and it refuses to serve mail owned by root. It listens on a unix socket in its
// 0700 directory, reads each connection's hand-off header and gives the connection to the
// engine. It exits after `--linger` ms without connections, and on SIGTERM after every
// session got its BYE. SIGUSR1 toggles protocol tracing.
import { Command } from "commander";
import { promises as fsp, statSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import * as path from "node:path";
import { createUserServer } from "../imap/user-server.js";
import type { UserServer } from "../imap/api.js";
import { decodeHandoff } from "../protocol/handoff.js";
import { createLogger, type Log } from "../log.js";
import { inspectorOnSignal, startProfilingFromEnv } from "../profile.js";
import { RotatingTraceFile, TraceRecorder, traceFileName } from "../trace/writer.js";

const MAX_HEADER = 64 * 1024;

interface Opts {
  user: string;
  maildir: string;
  socketDir: string;
  linger: string;
  debug?: boolean;
  logConfig?: string;
  trace?: boolean;
  traceBodies?: boolean;
  traceDir?: string;
  maxMessageSize?: string;
}

function parseArgs(): Opts {
  return new Command("asimapd-user")
    .requiredOption("--user <name>")
    .requiredOption("--maildir <dir>")
    .requiredOption("--socket-dir <dir>")
    .option("--linger <ms>", "exit after this long without connections", String(30 * 60 * 1000))
    .option("--debug")
    .option("--log-config <file>")
    .option("--trace")
    .option("--trace-bodies")
    .option("--trace-dir <dir>")
    .option("--max-message-size <bytes>")
    .parse(process.argv)
    .opts<Opts>();
}

/** Started as root: become the owner of the mail (never root itself). */
function dropPrivileges(maildir: string): void {
  if (process.getuid?.() !== 0) return;
  const st = statSync(maildir);
  if (st.uid === 0) throw new Error(`${maildir} is owned by root; refusing to serve it as root`);
  process.setgroups?.([st.gid]);
  process.setgid?.(st.gid);
  process.setuid?.(st.uid);
  if (process.getuid?.() === 0 || process.geteuid?.() === 0) throw new Error("could not drop root privileges");
}

/** Reads the hand-off header line, then hands the socket (with any bytes after it) on. */
function acceptHandoff(sock: Socket, server: UserServer, log: Log, proof: string): void {
  // First prove to the root that it reached this process (see daemon/supervisor.ts).
  if (proof) sock.write(proof + "\n");
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
      server.attach(sock, h);
      // paused above so no byte fell between the two listeners; the engine reads with "data"
      if (sock.isPaused()) sock.resume();
    } catch (e) {
      log.warn({ err: (e as Error).message }, "bad hand-off header; connection dropped");
      sock.destroy();
    }
  };
  sock.on("data", onData);
}

async function main(): Promise<void> {
  const o = parseArgs();
  const maildir = path.resolve(o.maildir);
  dropPrivileges(maildir);
  // what we create (state database, folders, messages, temporaries) is for this user only, as
  // nmh's own defaults (Msg-Protect 600, Folder-Protect 700); the inherited umask is often 022
  process.umask(0o077);
  process.title = `asimapd-user ${o.user}`;
  const proof = process.env.ASIMAPD_USER_PROOF ?? "";
  delete process.env.ASIMAPD_USER_PROOF;
  const log = createLogger({ username: o.user, debug: o.debug, logConfig: o.logConfig });
  startProfilingFromEnv(`user-${o.user}`, log);
  inspectorOnSignal(log);

  // Trace lines go to the root (which may write the trace directory) or, when run alone, to
  // the trace file directly.
  let traceFile: RotatingTraceFile | null = null;
  const recorder = new TraceRecorder(o.user, (line) => {
    if (process.send && process.connected) process.send({ t: "trace", line });
    else (traceFile ??= new RotatingTraceFile(traceFileName(o.traceDir ?? "/opt/asimap/traces", o.user))).writeLine(line);
  }, { bodies: o.traceBodies === true });
  if (o.trace) recorder.set(true);
  process.on("SIGUSR1", () => log.info({ trace: recorder.set() }, "tracing toggled"));

  const engine = await createUserServer({
    username: o.user,
    maildir,
    logger: log,
    trace: recorder,
    locking: process.env.ENABLE_MH_FILE_LOCKING === "true",
    maxMessageSize: o.maxMessageSize ? Number(o.maxMessageSize) : undefined,
  });

  await fsp.mkdir(o.socketDir, { recursive: true, mode: 0o700 });
  const sockPath = path.join(o.socketDir, `imap-${process.pid}.sock`);
  await fsp.rm(sockPath, { force: true });
  const listener: Server = createServer((s) => {
    cancelLinger();
    acceptHandoff(s, engine, log, proof);
  });
  await new Promise<void>((res, rej) => listener.once("error", rej).listen(sockPath, () => res()));
  await fsp.chmod(sockPath, 0o600);

  let stopping = false;
  const stop = async (why: string, code = 0) => {
    if (stopping) return;
    stopping = true;
    if (process.connected) process.send?.({ t: "closing" });
    listener.close();
    log.info({ why }, "user process stopping");
    try {
      await engine.shutdown(why === "linger" ? undefined : "Server shutting down.");
    } catch (e) {
      log.error({ err: (e as Error).stack }, "shutdown failed");
      code = 1;
    }
    traceFile?.close();
    log.flush?.();
    process.exit(code);
  };

  const lingerMs = Number(o.linger);
  let lingerTimer: NodeJS.Timeout | null = null;
  const cancelLinger = () => {
    if (lingerTimer) clearTimeout(lingerTimer);
    lingerTimer = null;
  };
  const startLinger = () => {
    cancelLinger();
    lingerTimer = setTimeout(() => {
      if (engine.connectionCount === 0) void stop("linger");
    }, lingerMs);
  };
  engine.on("empty", startLinger);
  startLinger();

  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("disconnect", () => void stop("root process gone"));
  process.on("uncaughtException", (e) => {
    log.error({ err: e.stack }, "uncaught exception");
    void stop("uncaught exception", 1);
  });

  log.info({ maildir, uid: process.getuid?.(), socket: sockPath }, "user process ready");
  process.send?.({ t: "ready", socket: sockPath });
}

main().catch((e: unknown) => {
  process.stderr.write(`asimapd-user: ${(e as Error).message}\n`);
  process.exit(3);
});
