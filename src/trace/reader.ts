// Reads trace format 1.0 files, ours and the old Python server's (python-json-logger output
// with extra keys such as "message" and "taskName", which are ignored). A file may hold several
// headers: each switch-on of tracing starts a new segment whose clock restarts at 0.
import { readFileSync } from "node:fs";

export interface TraceHeader {
  kind: "header";
  trace_format: string;
  username?: string;
  trace_time: number;
  /** 1-based line number in the file */
  line: number;
}

export interface TraceEntry {
  kind: "record";
  connection: string;
  remote: string;
  msg_type: "CONNECT" | "RECEIVED" | "SEND" | "CLOSE";
  /** RECEIVED: the command without its final CRLF; SEND: one response chunk with its CRLF;
   *  latin-1 text (`Buffer.from(data, "latin1")` gives the bytes) */
  data?: string;
  trace_time: number;
  trace_delta_time: number;
  username?: string;
  line: number;
}

export type TraceItem = TraceHeader | TraceEntry;

export class TraceFormatError extends Error {}

const MSG_TYPES = new Set(["CONNECT", "RECEIVED", "SEND", "CLOSE"]);

function num(v: unknown): number {
  return typeof v === "number" && Number.isFinite(v) ? v : 0;
}

/** Parses one line; null for a blank line. Throws TraceFormatError naming the line. */
export function parseTraceLine(text: string, line: number, source = "trace"): TraceItem | null {
  if (text.trim() === "") return null;
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new TraceFormatError(`${source}:${line}: not JSON (${(e as Error).message})`);
  }
  if (typeof o !== "object" || o === null || Array.isArray(o)) {
    throw new TraceFormatError(`${source}:${line}: not a JSON object`);
  }
  const username = typeof o.username === "string" ? o.username : undefined;
  if (typeof o.trace_format === "string") {
    if (!o.trace_format.startsWith("1.")) {
      throw new TraceFormatError(`${source}:${line}: unsupported trace_format ${o.trace_format}`);
    }
    return { kind: "header", trace_format: o.trace_format, username, trace_time: num(o.trace_time), line };
  }
  const msg = o.msg_type;
  if (typeof msg !== "string" || !MSG_TYPES.has(msg) || typeof o.connection !== "string") {
    throw new TraceFormatError(`${source}:${line}: neither a header nor a CONNECT/RECEIVED/SEND/CLOSE record`);
  }
  if ((msg === "RECEIVED" || msg === "SEND") && typeof o.data !== "string") {
    throw new TraceFormatError(`${source}:${line}: ${msg} record without data`);
  }
  return {
    kind: "record",
    connection: o.connection,
    remote: typeof o.remote === "string" ? o.remote : "",
    msg_type: msg as TraceEntry["msg_type"],
    ...(typeof o.data === "string" ? { data: o.data } : {}),
    trace_time: num(o.trace_time),
    trace_delta_time: num(o.trace_delta_time),
    username,
    line,
  };
}

export function* parseTraceText(text: string, source = "trace"): Generator<TraceItem> {
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const item = parseTraceLine(lines[i], i + 1, source);
    if (item) yield item;
  }
}

export function readTraceFile(file: string): TraceItem[] {
  return [...parseTraceText(readFileSync(file, "utf8"), file)];
}

/** The records only, grouped by connection in file order. */
export function connectionsOf(items: Iterable<TraceItem>): Map<string, TraceEntry[]> {
  const m = new Map<string, TraceEntry[]>();
  for (const it of items) {
    if (it.kind !== "record") continue;
    let list = m.get(it.connection);
    if (!list) m.set(it.connection, (list = []));
    list.push(it);
  }
  return m;
}
