#!/usr/bin/env node
// asimap-replay: replays a protocol trace (format 1.0) against an IMAP server and reports
// every response that differs from the recording. Exit 0: no difference; 1: differences;
// 2: the replay could not run (bad trace, cannot connect, login refused, a client message that
// was redacted when the trace was recorded without --trace-bodies).
import { Command, InvalidArgumentError, Option } from "commander";
import { TraceFormatError, readTrace } from "../trace/reader.js";
import { ReplayError } from "../trace/replay/connection.js";
import { RULES } from "../trace/replay/normalise.js";
import { replay } from "../trace/replay/replay.js";
import { formatReport } from "../trace/replay/report.js";

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new InvalidArgumentError("not a TCP port");
  return n;
}

function millis(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError("not a number of milliseconds");
  return n;
}

const rules = RULES.map((r) => `  ${r.name}${r.optional ? " (not with --strict-text)" : ""}: ${r.why}`).join("\n");

const program = new Command()
  .name("asimap-replay")
  .description("Replay a recorded IMAP session (trace format 1.0) against a server and compare the responses.")
  .argument("<trace>", "trace file (JSON lines, trace format 1.0)")
  .requiredOption("--host <host>", "server host")
  .requiredOption("--port <port>", "server port", port)
  .option("--tls", "connect with TLS (IMAPS)", false)
  .option("--insecure", "with --tls: accept any server certificate", false)
  .requiredOption("--user <user>", "user to log in as (LOGIN)")
  // The environment keeps the password out of the process list.
  .addOption(new Option("--password <password>", "password for --user").env("ASIMAP_REPLAY_PASSWORD").makeOptionMandatory())
  .option("--connection <id>", "replay only this connection of the trace")
  .option("--strict-text", "also compare the human text after OK/NO/BAD/BYE and '+' (by default only the status and response code)", false)
  // The default now; still accepted so existing scripts keep working.
  .addOption(new Option("--ignore-text").hideHelp())
  .option("--timeout <ms>", "wait this long for a recorded completion", millis, 10_000)
  .option("--settle <ms>", "wait this long for recorded unsolicited responses while IDLE", millis, 2_000)
  .addHelpText("after", `\nNormalisation rules, applied to both sides before comparing:\n${rules}\n` +
    "\nExit status: 0 no difference, 1 differences, 2 the replay could not run (bad trace, no " +
    "connection, login refused, or an APPEND whose message the trace holds only as length and " +
    "sha256: record with asimapd --trace-bodies to replay it).\n")
  .action(async (tracePath: string, o) => {
    try {
      const trace = await readTrace(tracePath);
      if (o.connection !== undefined && !trace.connections.includes(o.connection)) {
        throw new ReplayError(`no connection ${o.connection} in the trace (it has ${trace.connections.join(", ")})`);
      }
      const result = await replay(
        trace,
        { host: o.host, port: o.port, tls: o.tls, insecure: o.insecure, user: o.user, password: o.password },
        { connection: o.connection, strictText: o.strictText, commandTimeoutMs: o.timeout, settleMs: o.settle },
      );
      process.stdout.write(formatReport(result) + "\n");
      process.exitCode = result.differ === 0 ? 0 : 1;
    } catch (err) {
      if (err instanceof ReplayError || err instanceof TraceFormatError || (err as NodeJS.ErrnoException).code === "ENOENT") {
        process.stderr.write(`asimap-replay: ${(err as Error).message}\n`);
        process.exitCode = 2;
        return;
      }
      throw err;
    }
  });

await program.parseAsync();
