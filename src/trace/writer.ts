// Trace format 1.0 (reference/asimap.md §6.5), as the old server wrote it: one JSON object per
// line; a header `{"trace_format":"1.0",...}` each time tracing is switched on (the clock
// restarts there), then records with keys in the order data, connection, remote, msg_type,
// trace_time, trace_delta_time (seconds, floats), username. `remote` is the real client address.
//
// TraceRecorder lives in the user process (it owns the clock and the SIGUSR1 switch) and hands
// finished lines to an output; RotatingTraceFile writes them (in the root process, which may
// write the trace directory) to `<dir>/<user>-asimapd.trace`, rotated at 20 MiB × 5 like
// Python's RotatingFileHandler (`.1` is the newest old file).
//
// Unless asked to record bodies (--trace-bodies), message contents are traced as markers with
// their length and sha256 (src/trace/redact.ts), and credentials never reach a trace.
import { closeSync, fstatSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import * as path from "node:path";
import type { TraceRecord, TraceSink } from "../imap/api.js";
import { ServerRedactor, markerOf, redactClientCommand } from "./redact.js";

export const TRACE_FORMAT = "1.0";
export const TRACE_MAX_BYTES = 20 * 1024 * 1024;
export const TRACE_BACKUPS = 5;

/** `<dir>/<user>-asimapd.trace`; a user name can never point outside `dir`. */
export function traceFileName(dir: string, user: string): string {
  return path.join(dir, `${user.replace(/[/\\\0]/g, "_")}-asimapd.trace`);
}

/** What the recorder remembers of one traced connection (redacting needs the stream's state). */
interface ConnectionState {
  /** null: the connection was open before tracing started, so where its output stands is unknown */
  server: ServerRedactor | null;
  /** the last command was AUTHENTICATE without an initial response: the next line may be one */
  saslNext: boolean;
  /** a SASL response seen after login: replaced wherever the server echoes it (as a tag) */
  secret?: string;
  /** bytes of a non-synchronising literal the server read as command lines (see redact()) */
  looseBytes: number;
  /** the last command was such a line: the server's answer echoes it, so it is redacted too */
  echoes: boolean;
}

export const SASL_REDACTED = "REDACTED-SASL";

export class TraceRecorder implements TraceSink {
  private on = false;
  private start = 0;
  private last = 0;
  private readonly conns = new Map<string, ConnectionState>();

  /** @param opts.bodies record message contents in full (asimapd --trace-bodies) */
  constructor(readonly username: string, private readonly output: (line: string) => void,
    readonly opts: { bodies?: boolean } = {}) {}

  get enabled(): boolean {
    return this.on;
  }

  private times(): { trace_time: number; trace_delta_time: number } {
    const now = performance.now();
    const t = { trace_time: (now - this.start) / 1000, trace_delta_time: (now - this.last) / 1000 };
    this.last = now;
    return t;
  }

  /** Switches tracing on or off (undefined: toggle). Switching on writes a header. */
  set(on?: boolean): boolean {
    const want = on ?? !this.on;
    if (want && !this.on) {
      this.start = this.last = performance.now();
      this.on = true;
      this.output(JSON.stringify({ trace_format: TRACE_FORMAT, ...this.times(), username: this.username,
        trace_wall_time: Date.now() / 1000 }));
    } else if (!want) {
      this.on = false;
      this.conns.clear(); // the recorder sees nothing while off: the streams' state is lost
    }
    return this.on;
  }

  record(rec: TraceRecord): void {
    if (!this.on) return;
    const state = this.stateOf(rec);
    const data = rec.data === undefined ? undefined : this.redact(rec, state);
    if (data === null) return;
    const line: Record<string, unknown> = {};
    if (data !== undefined) line.data = data;
    line.connection = rec.connection;
    line.remote = rec.remote;
    line.msg_type = rec.msg_type;
    Object.assign(line, this.times());
    line.username = this.username;
    this.output(JSON.stringify(line));
  }

  private stateOf(rec: TraceRecord): ConnectionState {
    let state = this.conns.get(rec.connection);
    if (rec.msg_type === "CLOSE") this.conns.delete(rec.connection);
    if (!state) {
      state = { server: rec.msg_type === "CONNECT" ? new ServerRedactor() : null, saslNext: false, looseBytes: 0, echoes: false };
      if (rec.msg_type !== "CLOSE") this.conns.set(rec.connection, state);
    }
    return state;
  }

  /** The data to record; null: record nothing (all of it is message content, or unknowable). */
  private redact(rec: TraceRecord, state: ConnectionState): string | null {
    const data = rec.data!;
    if (rec.msg_type === "RECEIVED") {
      // A command with a LITERAL+ announcement sent during IDLE (instead of DONE) is refused,
      // and its literal — a message, for APPEND — arrives as command lines. Those lines are
      // redacted until the literal's bytes are used up, counting each line's end as one byte
      // (LF), so a CRLF'd message may cost a following command too: better than a leak.
      state.echoes = false;
      if (state.looseBytes > 0 && !this.opts.bodies) {
        state.looseBytes = Math.max(0, state.looseBytes - data.length - 1);
        state.echoes = true;
        return markerOf(data);
      }
      const loose = /~?\{(\d+)\+\}$/.exec(data);
      state.looseBytes = loose ? Number(loose[1]) : 0;
      let text = redactCredentials(data);
      if (state.saslNext && /^[A-Za-z0-9+/=]+$/.test(text) && text !== "*") {
        state.secret = text;
        text = SASL_REDACTED;
      } else {
        state.secret = undefined;
      }
      state.saslNext = /^\S+ AUTHENTICATE \S+$/i.test(data);
      return this.opts.bodies ? text : redactClientCommand(text);
    }
    if (rec.msg_type !== "SEND") return data;
    let text = data;
    if (!this.opts.bodies) {
      // Joined in the middle of a stream: it may be the middle of a message literal.
      if (!state.server) return null;
      text = state.server.push(text);
      if (text === "") return null;
      if (state.echoes) text = text.split("\r\n").map((l) => (l === "" ? l : markerOf(l))).join("\r\n");
    }
    return state.secret ? text.replaceAll(state.secret, SASL_REDACTED) : text;
  }
}

/** An append-only file rotated by size. Writes are synchronous so lines are never interleaved. */
export class RotatingTraceFile {
  private fd: number | null = null;
  private size = 0;

  constructor(readonly file: string, readonly maxBytes = TRACE_MAX_BYTES,
    readonly backups = TRACE_BACKUPS) {}

  private open(): number {
    if (this.fd === null) {
      mkdirSync(path.dirname(this.file), { recursive: true });
      this.fd = openSync(this.file, "a", 0o600);
      this.size = fstatSync(this.fd).size;
    }
    return this.fd;
  }

  private rotate(): void {
    this.close();
    rmSync(`${this.file}.${this.backups}`, { force: true });
    for (let i = this.backups - 1; i >= 1; i--) {
      try { renameSync(`${this.file}.${i}`, `${this.file}.${i + 1}`); } catch { /* absent */ }
    }
    if (this.backups > 0) renameSync(this.file, `${this.file}.1`);
    else rmSync(this.file, { force: true });
  }

  writeLine(line: string): void {
    const buf = Buffer.from(line + "\n", "utf8");
    this.open();
    if (this.size > 0 && this.size + buf.length > this.maxBytes) this.rotate();
    const fd = this.open();
    writeSync(fd, buf);
    this.size += buf.length;
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

/**
 * A LOGIN or AUTHENTICATE sent after login (refused, but it may carry a real password) is
 * traced with its credentials replaced, keeping the command's syntax so a replay gets the
 * same kind of answer.
 */
export function redactCredentials(data: string): string {
  const m = /^(\S+ )(LOGIN|AUTHENTICATE)( |$)/i.exec(data);
  if (!m) return data;
  if (m[2].toUpperCase() === "LOGIN") return `${m[1]}${m[2]} "redacted" "redacted"`;
  const mech = /^\S+ \S+ (\S+)/.exec(data)?.[1];
  return mech ? `${m[1]}${m[2]} ${mech}` : data;
}
