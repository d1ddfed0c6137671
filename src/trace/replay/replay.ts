// Runs a replay: executes the script's steps against a live server, then normalises both
// sides and compares each command's responses.
import type { Trace } from "../reader.js";
import { canonicalOrder, lineDiff, sameResponses, type DiffLine } from "./compare.js";
import { ReplayConnection, ReplayError, type Target } from "./connection.js";
import { countKinds, differenceKinds } from "./kinds.js";
import { newSideState, normalise, type NormaliseContext, type Side, type SideState } from "./normalise.js";
import { buildScript, type ExpectedConnection } from "./script.js";
import type { CommandResponses } from "./sink.js";

export interface ReplayOptions {
  /** Replay only this connection of the trace. */
  connection?: string;
  /** Compare the human text of status responses too (by default only status and code). */
  strictText?: boolean;
  /** How long to wait for a recorded tagged completion or continuation. */
  commandTimeoutMs?: number;
  /** How long to let recorded unsolicited responses to an IDLEing connection arrive. */
  settleMs?: number;
  /** How long to wait for a command the recording never saw complete, before closing. */
  quietMs?: number;
}

export interface CommandResult {
  connection: string;
  /** Command index within its connection; -1 for responses after the last command. */
  index: number;
  command: string;
  /** Trace line of the command's RECEIVED record. */
  traceLine?: number;
  expected: string[];
  got: string[];
  same: boolean;
  note?: string;
  diff: DiffLine[];
  /** What differs, by kind (empty when the same). */
  kinds: string[];
}

export interface ReplayResult {
  results: CommandResult[];
  responses: number;
  differ: number;
  /** Each kind of difference with the number of commands showing it, most frequent first. */
  byKind: Array<[string, number]>;
}

const WINDOW_SLACK_MS = 120_000;
const LOGIN_TIMEOUT_MS = 30_000;

export async function replay(trace: Trace, target: Target, options: ReplayOptions = {}): Promise<ReplayResult> {
  const commandTimeoutMs = options.commandTimeoutMs ?? 10_000;
  const settleMs = options.settleMs ?? 2_000;
  const quietMs = options.quietMs ?? 500;
  refuseRedactedCommands(trace, options.connection);
  const script = buildScript(trace, options.connection);
  const live = new Map<string, ReplayConnection>();
  const started = Date.now();
  try {
    for (const step of script.steps) {
      if (step.kind === "open") {
        // The first LOGIN may start a user process and index the mail: allow it time.
        live.set(step.conn, await ReplayConnection.open(target, Math.max(commandTimeoutMs, LOGIN_TIMEOUT_MS)));
        continue;
      }
      const conn = live.get(step.conn)!;
      switch (step.kind) {
        case "send": {
          const text = script.connections.get(step.conn)!.commands[step.command].text;
          await conn.sendCommand(text, commandTimeoutMs, quietMs);
          break;
        }
        case "input":
          await conn.sendInput(step.text, quietMs);
          break;
        case "await-continuation": {
          const cmd = conn.sink.commands[step.command];
          if (!(await conn.waitFor(() => cmd.continued || cmd.completed, commandTimeoutMs))) {
            conn.notes.set(step.command, `no "+" continuation within ${commandTimeoutMs} ms`);
          }
          break;
        }
        case "await-completion": {
          const cmd = conn.sink.commands[step.command];
          if (!(await conn.waitFor(() => cmd.completed, commandTimeoutMs)) && !conn.notes.has(step.command)) {
            conn.notes.set(step.command, conn.closed ? "connection closed before the tagged completion" : `no tagged completion within ${commandTimeoutMs} ms`);
          }
          break;
        }
        case "await-count": {
          const cmd = conn.sink.commands[step.command];
          await conn.waitFor(() => cmd.responses.length >= step.count || cmd.completed, settleMs);
          break;
        }
        case "close":
          await conn.finish(quietMs);
          break;
      }
    }
  } finally {
    for (const c of live.values()) c.close();
  }
  const ended = Date.now();
  const lastTime = trace.records.reduce((t, r) => Math.max(t, r.time ?? 0), 0);
  const windows: Record<Side, { from: number; to: number } | undefined> = {
    got: { from: started - WINDOW_SLACK_MS, to: ended + WINDOW_SLACK_MS },
    expected:
      trace.header.startedAt === undefined
        ? undefined
        : { from: trace.header.startedAt - WINDOW_SLACK_MS, to: trace.header.startedAt + lastTime * 1000 + WINDOW_SLACK_MS },
  };
  return compareAll(script.connections, live, windows, options.strictText ?? false, trace.redacted > 0);
}

/** A client literal recorded as a marker cannot be sent again: say where, and what to do. */
function refuseRedactedCommands(trace: Trace, only?: string): void {
  const r = trace.records.find((x) => x.kind === "RECEIVED" && x.redacted && (only === undefined || x.connection === only));
  if (!r) return;
  throw new ReplayError(
    `trace line ${r.line} (${r.connection}): the client's message data was redacted when the trace was ` +
    "recorded (only its length and sha256 are kept), so the command cannot be sent again; record " +
    "the session with asimapd --trace --trace-bodies (on test mail) to replay it",
  );
}

function compareAll(
  expected: Map<string, ExpectedConnection>,
  live: Map<string, ReplayConnection>,
  windows: Record<Side, { from: number; to: number } | undefined>,
  strictText: boolean,
  redactedTrace: boolean,
): ReplayResult {
  const states: Record<Side, SideState> = { expected: newSideState(), got: newSideState() };
  const norm = (side: Side, command: string, lines: string[]) => {
    const ctx: NormaliseContext = { side, command, state: states[side], serverTimeWindow: windows[side], redactedTrace };
    return lines.map((l) => normalise(l, ctx, { strictText }));
  };
  const results: CommandResult[] = [];
  const add = (connection: string, index: number, command: string, exp: string[], got: string[], note?: string, traceLine?: number) => {
    const e = norm("expected", command, exp);
    const g = norm("got", command, got);
    const same = note === undefined && sameResponses(e, g);
    results.push({
      connection, index, command, traceLine, expected: e, got: g, same, note,
      diff: same ? [] : lineDiff(canonicalOrder(e), canonicalOrder(g)),
      kinds: same ? [] : differenceKinds(e, g, note),
    });
  };
  for (const [id, exp] of expected) {
    const conn = live.get(id);
    const gotCommands: CommandResponses[] = conn?.sink.commands ?? [];
    exp.commands.forEach((cmd, i) => {
      const got = gotCommands[i];
      add(id, i, cmd.text, cmd.responses, got?.responses ?? [], conn?.notes.get(i) ?? (got ? undefined : "not replayed"), exp.commandLines[i]);
    });
    const trailer = conn?.sink.trailer ?? [];
    if (exp.trailer.length > 0 || trailer.length > 0) add(id, -1, "", exp.trailer, trailer);
  }
  const differ = results.filter((r) => !r.same);
  return { results, responses: results.length, differ: differ.length, byKind: countKinds(differ.map((r) => r.kinds)) };
}
