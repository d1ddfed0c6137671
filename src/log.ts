// Logging setup shared by the root process, the user processes and the CLIs (pino).
// Default: JSON lines on stdout, or pino-pretty when stdout is a terminal. `--debug` lowers the
// level to debug. `--log-config <file>` (or the first asimapd_log.json found in the seed's search
// path) is a JSON object of pino options, `transport` included, for example:
//   { "level": "info", "transport": { "targets": [
//       { "target": "pino/file", "options": { "destination": "/var/log/asimapd.log", "mkdir": true } } ] } }
// See examples/asimapd_log.json. Passwords are redacted wherever a field is named like one.
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import pino from "pino";
import type PinoPretty from "pino-pretty";

// pino-pretty (and its ~50 files) is loaded only when a terminal needs it: it cost every user
// process ~50 ms of CPU at start, where stdout is never a terminal.
const requireCjs = createRequire(import.meta.url);

export type Log = pino.Logger;

export interface LogSetup {
  /** "no_user" in the root process; none in a user process, where each user's engine logs
   *  through a child logger naming its user (a key in both would be in its lines twice: pino
   *  writes bindings and a call's own fields as they come, so a call naming a base key, `pid`
   *  included, repeats it too) */
  username?: string;
  debug?: boolean;
  /** an explicit --log-config / LOG_CONFIG path */
  logConfig?: string;
}

/** Where the old server looked for a log config when none was given (only JSON is read). */
export const LOG_CONFIG_SEARCH = ["/opt/asimap", "/etc", "/usr/local/etc", "/opt/local/etc"]
  .map((d) => `${d}/asimapd_log.json`);

export class LogConfigError extends Error {}

/** The log config file to use: the explicit one (must exist) or the first in the search path. */
export function findLogConfig(explicit?: string): string | undefined {
  if (explicit) {
    if (!existsSync(explicit)) throw new LogConfigError(`log config ${explicit} does not exist`);
    return explicit;
  }
  return LOG_CONFIG_SEARCH.find((p) => existsSync(p));
}

/** Reads and checks a log config file; throws LogConfigError with a one-line reason. */
export function readLogConfig(file: string): pino.LoggerOptions {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new LogConfigError(`log config ${file}: ${(e as Error).message}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new LogConfigError(`log config ${file}: expected a JSON object of pino options`);
  }
  return parsed as pino.LoggerOptions;
}

const REDACT = ["password", "*.password", "pass", "*.pass", "secret", "*.secret"];

export function createLogger(setup: LogSetup): Log {
  const file = findLogConfig(setup.logConfig);
  const fromFile = file ? readLogConfig(file) : {};
  const options: pino.LoggerOptions = {
    ...fromFile,
    level: setup.debug ? "debug" : (fromFile.level ?? "info"),
    base: { pid: process.pid, ...(setup.username ? { username: setup.username } : {}), ...(fromFile.base ?? {}) },
    redact: fromFile.redact ?? { paths: REDACT, censor: "[redacted]" },
  };
  if (!fromFile.transport && process.stdout.isTTY) {
    const pretty = requireCjs("pino-pretty") as typeof PinoPretty;
    return pino(options, pretty({ colorize: true, sync: true }));
  }
  return pino(options);
}
