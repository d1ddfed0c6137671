// Starting the root server from a resolved configuration: shared by `asimapd` and the demo.
// Wires the logger, the trace files and the user-process program into src/daemon.
import { mkdtempSync, mkdirSync, readFileSync, rmSync, chmodSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { createSecureContext } from "node:tls";
import { RootServer } from "../daemon/server.js";
import { chooseUserEntry, userProcessEnv, wantedUserEntry, type UserEntryKind } from "../daemon/user-entry.js";
import { packageVersion } from "../daemon/version.js";
import { PasswordFile, pwfileModeWarning } from "../daemon/pwfile.js";
import { TrustedProxies } from "../daemon/trusted-proxies.js";
import type { HandoffQuota } from "../daemon/quota-field.js";
import { createLogger, findLogConfig, readLogConfig, type Log } from "../log.js";
import { RotatingTraceFile, traceFileName } from "../trace/writer.js";

export interface AsimapdConfig {
  address: string;
  port: number;
  plainPort?: number;
  cert: string;
  key: string;
  pwfile: string;
  trace: boolean;
  /** trace message contents in full (else as length + sha256) */
  traceBodies?: boolean;
  traceDir: string;
  debug: boolean;
  logConfig?: string;
  lingerMs: number;
  maxMessageSize?: number;
  /** the quota of users whose password file line gives none (STORAGE in units of 1024 octets) */
  quota?: HandoffQuota;
  /** the full-text index: off, on (a folder indexed when first searched), or also when opened */
  fts?: "off" | "on" | "open";
  /** the largest a user's full-text index file may grow, bytes */
  ftsMaxSize?: number;
  /** parent of the per-user socket directories; default: a fresh directory under the tmpdir */
  runDir?: string;
  /** extra node options for user processes (ASIMAP_USER_NODE_OPTIONS) */
  userNodeOptions: string[];
  /** user processes started ahead of logins (--user-pool); undefined = the supervisor's default */
  userPool?: number;
  /** user processes shared by the users of one mail owner (--processes-per-owner; 0 = one per
   *  user); undefined = the supervisor's default */
  processesPerOwner?: number;
  /** --literal-minus: LITERAL- (non-synchronizing literals up to 4096 bytes) instead of LITERAL+ */
  literalMinus?: boolean;
  /** --server-admin: the URI that METADATA's server entry /shared/admin gives */
  serverAdmin?: string;
  /** --trusted-proxies: addresses and CIDR ranges, comma-separated */
  trustedProxies?: string;
}

/** A problem with the configuration: reported as one line and exit code 2. */
export class ConfigError extends Error {}

function readOrFail(what: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new ConfigError(`cannot read ${what} ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

export interface Running {
  server: RootServer;
  port: number;
  plainPort?: number;
  log: Log;
  stop(): Promise<void>;
}

export async function startAsimapd(c: AsimapdConfig): Promise<Running> {
  const cert = readOrFail("certificate", c.cert);
  const key = readOrFail("key", c.key);
  try {
    createSecureContext({ cert, key });
  } catch (e) {
    throw new ConfigError(`certificate ${c.cert} / key ${c.key} unusable: ${(e as Error).message}`);
  }
  let trustedProxies: TrustedProxies;
  try {
    trustedProxies = new TrustedProxies(c.trustedProxies);
  } catch (e) {
    throw new ConfigError((e as Error).message);
  }
  readOrFail("password file", c.pwfile);
  const problems: string[] = [];
  const parsed = new PasswordFile(c.pwfile, (p) => problems.push(`line ${p.line}: ${p.reason}`));
  await parsed.load();
  let log: Log;
  try {
    const lc = findLogConfig(c.logConfig);
    if (lc) readLogConfig(lc);
    log = createLogger({ username: "no_user", debug: c.debug, logConfig: c.logConfig });
  } catch (e) {
    throw new ConfigError((e as Error).message);
  }
  for (const p of problems) log.warn({ pwfile: c.pwfile }, `password file ${p}`);
  const mode = statSync(c.pwfile).mode;
  const open = pwfileModeWarning(c.pwfile, mode);
  if (open) log.warn({ pwfile: c.pwfile, mode: (mode & 0o777).toString(8).padStart(4, "0") }, open);

  const ownRunDir = c.runDir === undefined;
  const runDir = c.runDir ?? mkdtempSync(path.join(tmpdir(), "asimapd-"));
  mkdirSync(runDir, { recursive: true });
  chmodSync(runDir, 0o711); // users may pass through to their own 0700 directory, not list it

  const traces = new Map<string, RotatingTraceFile>();
  const onTrace = (user: string, line: string) => {
    let f = traces.get(user);
    if (!f) traces.set(user, (f = new RotatingTraceFile(traceFileName(c.traceDir, user))));
    try {
      f.writeLine(line);
    } catch (e) {
      log.warn({ user, err: (e as Error).message }, "cannot write trace");
    }
  };
  if (c.trace) mkdirSync(c.traceDir, { recursive: true });

  const userArgs = ["--linger", String(c.lingerMs), "--trace-dir", c.traceDir];
  if (c.debug) userArgs.push("--debug");
  if (c.logConfig) userArgs.push("--log-config", path.resolve(c.logConfig));
  if (c.traceBodies) userArgs.push("--trace-bodies");
  if (c.maxMessageSize) userArgs.push("--max-message-size", String(c.maxMessageSize));
  if (c.fts && c.fts !== "on") userArgs.push("--fts", c.fts);
  if (c.ftsMaxSize !== undefined) userArgs.push("--fts-max-size", String(c.ftsMaxSize));
  if (c.literalMinus) userArgs.push("--literal-minus");
  if (c.serverAdmin) userArgs.push("--server-admin", c.serverAdmin);
  let want: UserEntryKind;
  try {
    want = wantedUserEntry();
  } catch (e) {
    throw new ConfigError((e as Error).message);
  }
  // (judged by the environment user processes get: the snapshot froze what they would read)
  const userEntry = chooseUserEntry(fileURLToPath(new URL("../user/", import.meta.url)), userProcessEnv(), want);
  const version = packageVersion();
  const server = new RootServer({
    address: c.address, port: c.port, plainPort: c.plainPort, cert, key, pwfile: c.pwfile, log, version,
    runDir, userEntry: userEntry.argv, userEntryFallback: userEntry.ifUnusable,
    userNodeOptions: c.userNodeOptions, userArgs, trace: c.trace, onTrace,
    failDelayMs: envMs("ASIMAPD_AUTH_FAIL_DELAY_MS"),
    throttleDelayMs: envMs("ASIMAPD_THROTTLE_DELAY_MS"),
    preAuthTimeoutMs: envMs("ASIMAPD_PREAUTH_TIMEOUT_MS"),
    userPoolSize: c.userPool,
    processesPerOwner: c.processesPerOwner,
    trustedProxies,
    literalMinus: c.literalMinus,
    quota: c.quota,
  });
  log.info({ version }, "ASIMAPD Starting");
  const label = { snapshot: "startup snapshot", bundle: "bundle", plain: "plain modules" };
  if (userEntry.kind === want) log.info({ userEntry: userEntry.kind }, `user processes start from the ${label[want]}`);
  else log.warn({ userEntry: userEntry.kind, reason: userEntry.fallback },
    `user processes start from the ${label[userEntry.kind]}, not the ${label[want]}: ${userEntry.fallback}`);
  let ports: { port: number; plainPort?: number };
  try {
    ports = await server.start();
  } catch (e) {
    if (ownRunDir) rmSync(runDir, { recursive: true, force: true });
    throw new ConfigError(`cannot listen on ${c.address}:${c.port}${c.plainPort !== undefined ? `/${c.plainPort}` : ""}: ${(e as Error).message}`);
  }
  let stopped: Promise<void> | null = null;
  const stop = () => (stopped ??= (async () => {
    log.info({}, "shutting down");
    await server.shutdown();
    for (const t of traces.values()) t.close();
    if (ownRunDir) rmSync(runDir, { recursive: true, force: true });
    log.info({}, "stopped");
  })());
  return { server, ...ports, log, stop };
}

/** Testing knobs for the login delays and the pre-login time limit (not for production: the
 *  delays slow down password guessing). */
function envMs(name: string): number | undefined {
  const v = process.env[name];
  return v !== undefined && /^[0-9]+$/.test(v) ? Number(v) : undefined;
}
