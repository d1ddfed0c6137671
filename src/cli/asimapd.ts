#!/usr/bin/env node
// asimapd: the IMAP server's root process. Options as the old asimapd's (same names,
// environment variables and defaults; an option beats its environment variable), plus the
// plaintext/STARTTLS port, the user-process linger time, the message size limit and the
// directory for user sockets (see asimapd-options.ts).
import "../claim-signals.js"; // first: SIGUSR1 must never open Node's inspector, even while starting
import { CommanderError } from "commander";
import { existsSync } from "node:fs";
import { ConfigError, startAsimapd, type AsimapdConfig } from "./asimapd-run.js";
import { buildProgram, resolveConfig } from "./asimapd-options.js";
import { setUpProfiling } from "../cpu-profile.js";

async function main(argv: string[]): Promise<void> {
  // Like the old server (python-dotenv): a .env in the working directory fills in variables
  // that are not already set.
  try {
    if (existsSync(".env")) process.loadEnvFile(".env");
  } catch (e) {
    process.stderr.write(`asimapd: .env: ${(e as Error).message}\n`);
    process.exit(2);
  }
  const program = buildProgram();
  let config: AsimapdConfig;
  try {
    program.parse(argv);
    config = resolveConfig(program.opts());
  } catch (e) {
    if (e instanceof CommanderError) process.exit(e.exitCode === 0 ? 0 : 2);
    if (e instanceof ConfigError) {
      process.stderr.write(`asimapd: ${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  try {
    const running = await startAsimapd(config);
    setUpProfiling("root", running.log);
    const onSignal = (sig: string) => {
      running.log.info({ signal: sig }, "signal received");
      running.stop().then(() => process.exit(0), () => process.exit(1));
    };
    // One connection's bug must not drop everyone's connections: log it and keep serving.
    process.on("uncaughtException", (e) => running.log.error({ err: e.stack }, "uncaught exception"));
    process.on("unhandledRejection", (e) => running.log.error({ err: (e as Error)?.stack ?? String(e) }, "unhandled rejection"));
    process.on("SIGTERM", () => onSignal("SIGTERM"));
    process.on("SIGINT", () => onSignal("SIGINT"));
    // The root keeps the trace switch: a user process started later gets it too.
    process.on("SIGUSR1", () => {
      const { supervisor } = running.server;
      const on = !supervisor.tracing;
      running.log.info({ trace: on, processes: supervisor.setTrace(on) },
        `SIGUSR1: tracing ${on ? "on" : "off"} for every user process, and those started later`);
    });
    // A test and debugging aid: which user process serves whom (and the profile, profile.ts).
    process.on("SIGUSR2", () => running.log.info({ userProcesses: running.server.supervisor.pids() }, "user processes"));
    if (process.send) process.send({ t: "listening", port: running.port, plainPort: running.plainPort });
  } catch (e) {
    if (e instanceof ConfigError || (e as NodeJS.ErrnoException).code) {
      process.stderr.write(`asimapd: ${(e as Error).message}\n`);
      process.exit(2);
    }
    throw e;
  }
}

await main(process.argv);
