// Reader for protocol traces in format 1.0 (reference/asimap.md §6.5): ours and the old
// Python server's. One JSON object per line; a header record carries "trace_format", every
// other record has "connection" and "msg_type", and SEND/RECEIVED carry "data" (the bytes
// decoded as latin-1, so Buffer.from(data, "latin1") gives them back exactly), except that a
// message literal recorded without --trace-bodies is a marker of its length and sha256
// (src/trace/redact.ts): the only characters above U+00FF a trace may hold.
import { readFile } from "node:fs/promises";
import { hasRedaction, withoutMarkers } from "./redact.js";

export type RecordKind = "CONNECT" | "RECEIVED" | "SEND" | "CLOSE";

export interface TraceRecord {
  /** Position among the records of the trace (headers excluded), in file order. */
  index: number;
  /** 1-based line of the file, for error messages. */
  line: number;
  connection: string;
  kind: RecordKind;
  /** RECEIVED: one complete command, literals inline, no final CRLF. SEND: one chunk. */
  data?: string;
  /** Seconds since tracing started in the recording process. */
  time?: number;
  /** data holds redacted message literals (src/trace/redact.ts): their length and sha256 only. */
  redacted?: boolean;
}

export interface TraceHeader {
  format: string;
  username?: string;
  /** Wall-clock start of the recording (epoch ms), when the writer recorded it. */
  startedAt?: number;
}

export interface Trace {
  header: TraceHeader;
  records: TraceRecord[];
  /** Connection ids in order of first appearance. */
  connections: string[];
  /** How many records hold redacted message literals. */
  redacted: number;
}

export interface ConnectionTrace {
  id: string;
  records: TraceRecord[];
  /** Each client command as the bytes the client sent, CRLF-terminated, literals intact. */
  clientCommands: Buffer[];
  /** Everything the server sent on this connection, SEND chunks concatenated in order. */
  serverBytes: Buffer;
}

export class TraceFormatError extends Error {
  constructor(source: string, line: number, why: string) {
    super(`${source}:${line}: ${why}`);
    this.name = "TraceFormatError";
  }
}

const KINDS = new Set<string>(["CONNECT", "RECEIVED", "SEND", "CLOSE"]);
// Keys a writer may use for the wall-clock start of tracing (epoch seconds or ms, or ISO text).
const START_KEYS = ["trace_wall_time", "wall_time", "started_at", "trace_start"];

function parseStart(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isFinite(value)) {
    return value < 1e11 ? value * 1000 : value; // seconds or milliseconds since the epoch
  }
  if (typeof value === "string") {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? undefined : ms;
  }
  return undefined;
}

export function parseTrace(text: string, source = "trace"): Trace {
  const header: TraceHeader = { format: "" };
  const records: TraceRecord[] = [];
  const connections: string[] = [];
  const seen = new Set<string>();
  let redacted = 0;
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].trim();
    if (raw === "") continue;
    const lineNo = i + 1;
    let obj: unknown;
    try {
      obj = JSON.parse(raw);
    } catch {
      throw new TraceFormatError(source, lineNo, "not a JSON object");
    }
    if (typeof obj !== "object" || obj === null || Array.isArray(obj)) {
      throw new TraceFormatError(source, lineNo, "not a JSON object");
    }
    const rec = obj as Record<string, unknown>;
    if ("trace_format" in rec) {
      const format = String(rec.trace_format);
      if (!/^1\./.test(format)) {
        throw new TraceFormatError(source, lineNo, `unsupported trace_format ${format}`);
      }
      // Tracing toggled off and on again writes a new header; the first one describes the file.
      if (header.format === "") {
        header.format = format;
        if (typeof rec.username === "string") header.username = rec.username;
        for (const key of START_KEYS) {
          const start = parseStart(rec[key]);
          if (start !== undefined) {
            header.startedAt = start;
            break;
          }
        }
      }
      continue;
    }
    const kind = rec.msg_type;
    const connection = rec.connection;
    if (typeof kind !== "string" || typeof connection !== "string") {
      throw new TraceFormatError(source, lineNo, "record without msg_type/connection");
    }
    // The old server's docstring names EXCEPTION/REMOTE_CLOSE; they carry nothing to replay.
    if (!KINDS.has(kind)) continue;
    const record: TraceRecord = { index: records.length, line: lineNo, connection, kind: kind as RecordKind };
    if (kind === "SEND" || kind === "RECEIVED") {
      if (typeof rec.data !== "string") {
        throw new TraceFormatError(source, lineNo, `${kind} record without data`);
      }
      const rest = withoutMarkers(rec.data);
      if (rest.includes("\u27e6")) {
        throw new TraceFormatError(source, lineNo, `${kind} data holds a malformed redaction marker`);
      }
      if (/[^\x00-\xff]/.test(rest)) {
        throw new TraceFormatError(source, lineNo, `${kind} data is not latin-1 decoded bytes`);
      }
      record.data = rec.data;
      if (hasRedaction(rec.data)) {
        record.redacted = true;
        redacted++;
      }
    }
    if (typeof rec.trace_time === "number") record.time = rec.trace_time;
    records.push(record);
    if (!seen.has(connection)) {
      seen.add(connection);
      connections.push(connection);
    }
  }
  if (header.format === "" && records.length === 0) {
    throw new TraceFormatError(source, 1, "empty trace");
  }
  if (header.format === "") header.format = "1.0"; // a rotated file has no header of its own
  return { header, records, connections, redacted };
}

export async function readTrace(path: string): Promise<Trace> {
  // JSON text is UTF-8; the data strings inside are latin-1 decoded bytes (code points < 256).
  return parseTrace(await readFile(path, "utf8"), path);
}

/**
 * Records grouped by connection, with the client's and the server's bytes in order. A redacted
 * literal's marker has no bytes: here it comes out garbled (latin-1 of its low bytes); the
 * replay reads `data` itself, where markers stand for the literals.
 */
export function byConnection(trace: Trace): Map<string, ConnectionTrace> {
  const out = new Map<string, ConnectionTrace>();
  const chunks = new Map<string, Buffer[]>();
  for (const id of trace.connections) {
    out.set(id, { id, records: [], clientCommands: [], serverBytes: Buffer.alloc(0) });
    chunks.set(id, []);
  }
  for (const r of trace.records) {
    const conn = out.get(r.connection)!;
    conn.records.push(r);
    if (r.kind === "RECEIVED") conn.clientCommands.push(Buffer.from(r.data + "\r\n", "latin1"));
    if (r.kind === "SEND") chunks.get(r.connection)!.push(Buffer.from(r.data!, "latin1"));
  }
  for (const [id, conn] of out) conn.serverBytes = Buffer.concat(chunks.get(id)!);
  return out;
}
