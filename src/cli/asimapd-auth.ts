#!/usr/bin/env node
// asimapd-auth: the auth service for nginx's mail proxy (`auth_http`). It checks the login
// against asimapd's password file, with asimapd's hashers and throttling, and tells nginx which
// backend holds the user's mail (the shard map, or the password file's fourth field).
// Listens on loopback (or a unix socket): only nginx should ever ask it.
import "../claim-signals.js";
import { Command, CommanderError, Option } from "commander";
import { chmodSync, existsSync, rmSync } from "node:fs";
import { AuthService } from "../auth-http/auth-service.js";
import { createAuthHttpServer, listenOn, type ListenOn } from "../auth-http/http-listener.js";
import { packageVersion } from "../daemon/version.js";
import { createLogger } from "../log.js";

function program(): Command {
  return new Command("asimapd-auth")
    .description("Auth service for nginx's mail proxy (auth_http): checks logins against asimapd's password file " +
      "and answers with the user's backend.\nFor every option that also has an environment variable, the option wins.")
    .version(packageVersion(), "--version")
    .helpOption("-h, --help", "Show this text and exit")
    .addOption(new Option("--address <i>", "address to listen on (keep it loopback: only nginx should ask)")
      .env("AUTH_ADDRESS").default("127.0.0.1"))
    .addOption(new Option("--port <p>", "port to listen on").env("AUTH_PORT").default("9143"))
    .addOption(new Option("--socket <path>", "listen on this unix socket instead (nginx: auth_http unix:<path>:/;)").env("AUTH_SOCKET"))
    .addOption(new Option("--socket-mode <octal>", "mode of the unix socket (nginx's workers must be able to write it)")
      .env("AUTH_SOCKET_MODE").default("660"))
    .addOption(new Option("--pwfile <pwfile>", "asimapd's password file: user:hash:maildir[:host:port]").env("PWFILE")
      .default("/opt/asimap/pwfile"))
    .addOption(new Option("--shard-map <file>", "lines of `user host:port` (and `* host:port` for the rest); " +
      "wins over the password file's fourth field").env("SHARD_MAP"))
    .addOption(new Option("--debug", "log at debug level (env DEBUG)"))
    .addOption(new Option("--log-config <lc>", "JSON file of pino options").env("LOG_CONFIG"))
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
}

/** The waits asimapd's test knobs set (ms) as nginx's whole seconds, at least 1. */
function waitS(env: string, dflt: number): number {
  const v = process.env[env];
  const ms = v !== undefined && /^[0-9]+$/.test(v) ? Number(v) : dflt;
  return Math.max(1, Math.ceil(ms / 1000));
}

function fail(msg: string): never {
  process.stderr.write(`asimapd-auth: ${msg}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  const p = program();
  try {
    p.parse(process.argv);
  } catch (e) {
    if (e instanceof CommanderError) process.exit(e.exitCode === 0 ? 0 : 2);
    throw e;
  }
  const o = p.opts<Record<string, string | boolean | undefined>>();
  const port = String(o.port);
  if (!/^[0-9]+$/.test(port) || Number(port) > 65535) fail(`invalid port ${JSON.stringify(port)}`);
  const mode = String(o.socketMode);
  if (!/^[0-7]{3,4}$/.test(mode)) fail(`invalid socket mode ${JSON.stringify(mode)} (octal, e.g. 660)`);
  let log;
  try {
    const envDebug = process.env.DEBUG !== undefined && !/^(|0|false|no|off)$/i.test(process.env.DEBUG.trim());
    log = createLogger({ debug: o.debug === true || envDebug,
      logConfig: typeof o.logConfig === "string" ? o.logConfig : undefined });
  } catch (e) {
    fail((e as Error).message);
  }
  const service = new AuthService({ pwfile: String(o.pwfile), shardMap: o.shardMap as string | undefined, log,
    failWaitS: waitS("ASIMAPD_AUTH_FAIL_DELAY_MS", 1_000), throttleWaitS: waitS("ASIMAPD_THROTTLE_DELAY_MS", 10_000) });
  try {
    await service.load();
  } catch (e) {
    fail(`cannot read ${(e as Error).message}`);
  }
  const on: ListenOn = typeof o.socket === "string" ? { socket: o.socket } : { address: String(o.address), port: Number(port) };
  if ("socket" in on && existsSync(on.socket)) rmSync(on.socket); // a stale socket of an earlier run
  const server = createAuthHttpServer(service, log);
  let bound: number;
  try {
    bound = await listenOn(server, on);
  } catch (e) {
    fail(`cannot listen on ${"socket" in on ? on.socket : `${on.address}:${on.port}`}: ${(e as Error).message}`);
  }
  if ("socket" in on) chmodSync(on.socket, parseInt(mode, 8));
  log.info({ ...on, ...("port" in on ? { port: bound } : {}), pwfile: o.pwfile, shardMap: o.shardMap }, "asimapd-auth listening");
  if (process.send) process.send({ t: "listening", port: bound });
  const stop = (signal: string) => {
    log.info({ signal }, "shutting down");
    service.stop();
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("uncaughtException", (e) => log.error({ err: e.stack }, "uncaught exception"));
}

await main();
