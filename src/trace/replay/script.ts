// Turns a trace into what a replay needs: per connection, the commands with the responses the
// recording attributes to them, and the ordered steps a client takes to reproduce the session.
// Steps follow the order of records in the file: a command is sent where its RECEIVED record
// is; where the recording shows a command's tagged completion (or IDLE's "+") before the next
// client action, the replay waits for the same event; where an IDLEing connection received
// unsolicited responses before the next client action, the replay lets them arrive (settle)
// before going on, so IDLE sessions interleave as recorded.
import { ResponseFramer } from "./response-splitter.js";
import { NO_CRLF, ResponseSink, type CommandResponses } from "./sink.js";
import type { Trace } from "../reader.js";

export type Step =
  | { kind: "open"; conn: string }
  | { kind: "send"; conn: string; command: number; line: number }
  | { kind: "input"; conn: string; text: string; line: number }
  | { kind: "await-continuation"; conn: string; command: number }
  | { kind: "await-completion"; conn: string; command: number }
  | { kind: "await-count"; conn: string; command: number; count: number }
  | { kind: "close"; conn: string };

export interface ExpectedConnection {
  id: string;
  commands: CommandResponses[];
  /** Trace line of each command's RECEIVED record. */
  commandLines: number[];
  trailer: string[];
}

export interface ReplayScript {
  connections: Map<string, ExpectedConnection>;
  steps: Step[];
}

interface ConnState {
  sink: ResponseSink;
  framer: ResponseFramer;
  lines: number[];
  open: boolean;
}

export function buildScript(trace: Trace, only?: string): ReplayScript {
  const state = new Map<string, ConnState>();
  const steps: Step[] = [];
  // Settle targets collected since the last client action: conn → {command, count}.
  let settle = new Map<string, { command: number; count: number }>();

  const flushSettle = () => {
    for (const [conn, t] of settle) steps.push({ kind: "await-count", conn, command: t.command, count: t.count });
    settle = new Map();
  };
  const flushPartial = (s: ConnState) => {
    const rest = s.framer.flush();
    if (rest !== undefined) s.sink.response(rest + NO_CRLF);
  };
  const get = (conn: string): ConnState => {
    let s = state.get(conn);
    if (!s) {
      s = { sink: new ResponseSink(true), framer: new ResponseFramer(), lines: [], open: true };
      state.set(conn, s);
      steps.push({ kind: "open", conn });
    }
    return s;
  };

  for (const r of trace.records) {
    if (only !== undefined && r.connection !== only) continue;
    if (r.kind === "CONNECT") {
      get(r.connection);
    } else if (r.kind === "RECEIVED") {
      const s = get(r.connection);
      flushSettle();
      flushPartial(s);
      // No final CRLF by definition; a trailing CRLF here is the end of a literal.
      const data = r.data!;
      if (s.sink.idleCommand !== undefined) {
        s.sink.input(data);
        steps.push({ kind: "input", conn: r.connection, text: data, line: r.line });
      } else {
        const command = s.sink.startCommand(data);
        s.lines.push(r.line);
        steps.push({ kind: "send", conn: r.connection, command, line: r.line });
      }
    } else if (r.kind === "SEND") {
      const s = get(r.connection);
      for (const resp of s.framer.push(r.data!)) {
        const ev = s.sink.response(resp);
        if (ev.kind === "completion") {
          settle.delete(r.connection);
          steps.push({ kind: "await-completion", conn: r.connection, command: ev.command });
        } else if (ev.kind === "continuation") {
          steps.push({ kind: "await-continuation", conn: r.connection, command: ev.command });
        } else if (ev.kind === "response" && ev.idling && typeof ev.command === "number") {
          const count = s.sink.commands[ev.command].responses.length;
          settle.set(r.connection, { command: ev.command, count });
        }
      }
    } else if (r.kind === "CLOSE") {
      const s = state.get(r.connection);
      if (!s || !s.open) continue;
      flushSettle();
      flushPartial(s);
      s.open = false;
      steps.push({ kind: "close", conn: r.connection });
    }
  }
  flushSettle();
  const connections = new Map<string, ExpectedConnection>();
  for (const [id, s] of state) {
    flushPartial(s);
    s.sink.finish();
    if (s.open) steps.push({ kind: "close", conn: id });
    connections.set(id, { id, commands: s.sink.commands, commandLines: s.lines, trailer: s.sink.trailer });
  }
  return { connections, steps };
}
