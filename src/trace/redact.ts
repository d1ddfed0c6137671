// Message contents are kept out of traces (issue 11: no message body in logs or traces). A
// literal that carries message text is traced as its announcement followed by a marker in
// place of its bytes:
//
//   * 1 FETCH (UID 4 BODY[] {1234}\r\n⟦asimap-redacted 1234 bytes sha256:<64 hex>⟧)\r\n
//
// The marker's brackets are U+27E6/U+27E7. Trace data is bytes decoded as latin-1 (code points
// below 256), so no recorded byte stream, ours or the old server's, can contain a marker: a
// reader can always tell a redacted literal from one recorded in full. The length and digest
// let a replay check the live server's literal without the trace holding it.
//
// What is redacted: in the server's FETCH responses, the literals of BODY[...], BINARY[...]
// (with or without <origin>), RFC822, RFC822.HEADER and RFC822.TEXT; from the client, every
// literal of APPEND after the mailbox name (the messages of APPEND and MULTIAPPEND, CATENATE
// text parts).
import { createHash, type Hash } from "node:crypto";

const OPEN = "\u27e6";
const CLOSE = "\u27e7";
const MARKER = /\u27e6asimap-redacted (\d+) bytes sha256:([0-9a-f]{64})\u27e7/;
const MARKER_G = new RegExp(MARKER.source, "g");
const MARKER_AT = new RegExp(`^${MARKER.source}`);

export interface Redaction {
  length: number;
  sha256: string;
}

export function redactionMarker(length: number, sha256: string): string {
  return `${OPEN}asimap-redacted ${length} bytes sha256:${sha256}${CLOSE}`;
}

/** The marker of these latin-1 decoded bytes. */
export function markerOf(bytes: string): string {
  return redactionMarker(bytes.length, createHash("sha256").update(bytes, "latin1").digest("hex"));
}

/** The marker starting at `pos` of `text`, if one does. */
export function markerAt(text: string, pos: number): (Redaction & { text: string }) | undefined {
  if (text.charCodeAt(pos) !== 0x27e6) return undefined;
  const m = MARKER_AT.exec(text.slice(pos, pos + 128));
  return m ? { length: Number(m[1]), sha256: m[2], text: m[0] } : undefined;
}

export function hasRedaction(text: string): boolean {
  return text.includes(OPEN) && MARKER.test(text);
}

/** The text with every well-formed marker taken out (to check that the rest is latin-1). */
export function withoutMarkers(text: string): string {
  return text.includes(OPEN) ? text.replace(MARKER_G, "") : text;
}

// The FETCH item a literal belongs to ends the text before its announcement. The section may
// hold a quoted "]" (BODY[HEADER.FIELDS ("X]")]): matched greedily, erring towards redacting.
const MESSAGE_ITEM = /(?:^|[ (])(?:(?:BODY|BINARY)\[.*\](?:<\d+>)?|RFC822(?:\.HEADER|\.TEXT)?) $/i;
const ANNOUNCEMENT = /~?\{(\d+)\}$/;

/**
 * Follows one connection's server byte stream, chunk by chunk (cut anywhere), and returns what
 * the trace records of each chunk: the same text with message literals replaced by markers. The
 * marker goes out with the chunk that ends the literal; a chunk entirely inside a redacted
 * literal yields "". A marker already in the input (a recorded response being normalised) is
 * kept as the literal it stands for.
 */
export class ServerRedactor {
  /** Text since the last CRLF or the end of the last literal. */
  private line = "";
  private responseStart = true;
  private inFetch = false;
  private literal: { left: number; size: number; hash: Hash | null } | null = null;

  push(chunk: string): string {
    let out = "";
    let i = 0;
    while (i < chunk.length) {
      const lit = this.literal;
      if (lit) {
        if (lit.hash && lit.left === lit.size) {
          const marker = markerAt(chunk, i);
          if (marker && marker.length === lit.size) {
            out += marker.text;
            i += marker.text.length;
            this.literal = null;
            continue;
          }
        }
        const take = Math.min(lit.left, chunk.length - i);
        if (lit.hash) lit.hash.update(chunk.slice(i, i + take), "latin1");
        else out += chunk.slice(i, i + take);
        lit.left -= take;
        i += take;
        if (lit.left === 0) {
          if (lit.hash) out += redactionMarker(lit.size, lit.hash.digest("hex"));
          this.literal = null;
        }
        continue;
      }
      const nl = chunk.indexOf("\n", i);
      const seg = nl < 0 ? chunk.slice(i) : chunk.slice(i, nl + 1);
      out += seg;
      this.line += seg;
      i += seg.length;
      if (!this.line.endsWith("\r\n")) continue;
      this.endOfLine(this.line.slice(0, -2));
      this.line = "";
    }
    return out;
  }

  private endOfLine(text: string): void {
    if (this.responseStart) this.inFetch = /^\* \d+ FETCH /i.test(text);
    const m = ANNOUNCEMENT.exec(text);
    this.responseStart = !m;
    if (!m || m[1] === "0") return;
    const size = Number(m[1]);
    const redact = this.inFetch && MESSAGE_ITEM.test(text.slice(0, m.index));
    this.literal = { left: size, size, hash: redact ? createHash("sha256") : null };
  }
}

/** One whole response (latin-1, literals inline, no CRLF) with its message literals as markers. */
export function redactResponse(line: string): string {
  return new ServerRedactor().push(line + "\r\n").slice(0, -2);
}

const CLIENT_LITERAL = /~?\{(\d+)\+?\}\r\n/g;

/**
 * One complete client command (literals inline, as RECEIVED records hold it) with the message
 * literals of APPEND replaced by markers; any other command is returned as it is.
 */
export function redactClientCommand(command: string): string {
  const head = /^\S+ APPEND (~?\{\d+\+?\}\r\n)?/i.exec(command);
  if (!head) return command;
  let out = "";
  let pos = 0;
  let first = head[1] !== undefined; // the mailbox name itself is a literal: kept
  CLIENT_LITERAL.lastIndex = 0;
  for (let m = CLIENT_LITERAL.exec(command); m; m = CLIENT_LITERAL.exec(command)) {
    const start = m.index + m[0].length;
    const end = Math.min(command.length, start + Number(m[1]));
    if (first || end === start) {
      first = false;
    } else {
      const marker = markerAt(command, start);
      out += command.slice(pos, start) + (marker ? marker.text : markerOf(command.slice(start, end)));
      pos = marker ? start + marker.text.length : end;
    }
    CLIENT_LITERAL.lastIndex = resumeAt(command, start, end);
  }
  return out + command.slice(pos);
}

// Where the search for the next announcement resumes: after the literal's bytes (or marker).
function resumeAt(command: string, start: number, end: number): number {
  const m = markerAt(command, start);
  return m ? start + m.text.length : end;
}
