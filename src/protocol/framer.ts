// The framer: client bytes -> frames (a command line + its literals, never decoded to text).
//
// Exported API (stable):
//   interface Frame { line: Buffer; literals: Buffer[] }
//       `line`: the command text without its final CRLF; each literal is left as its marker
//       (`{5}`, `{5+}`, `~{5}`) with the CRLF after the marker and the literal bytes removed, so
//       `A1 LOGIN {5}\r\nalice {6}\r\nsecret\r\n` gives line `A1 LOGIN {5} {6}` and
//       literals [alice, secret]. Feed it to parseCommand().
//   type FramerEvent =
//     | { kind: "frame"; frame: Frame }
//     | { kind: "continue"; tag: string; size: number }  // send `+ ...` now (synchronising literal)
//     | { kind: "line"; line: Buffer }                    // a raw line asked for by expectRawLine()
//     | { kind: "error"; tag?: string; status: "BAD" | "NO"; code?: "TOOBIG"; text: string; close: boolean }
//       error: answer `<tag or *> <status> [<code>] <text>`; if `close`, close the connection
//       after writing it. The framer has already skipped the offending bytes and is resynchronised.
//   class Framer(options?: FramerOptions)
//     push(chunk: Buffer): void          buffer bytes from the socket (no copy)
//     next(): FramerEvent | null         the next event, or null when more bytes are needed
//     takeUnread(): Buffer               the bytes not yet read, taken out (COMPRESS), between commands
//     expectRawLine(): void              the next line (IDLE's DONE, an AUTHENTICATE response)
//                                        comes back as { kind: "line" }, not parsed as a command
//     buffered: number                   bytes held but not yet consumed (for back-pressure)
//   Pull model: call next() until null after each push(), and switch modes between events; the
//   sequence of events does not depend on how the bytes were split into chunks.
//   Limits (FramerOptions): maxLineLength (command text, default 64 KiB) -> BAD, line skipped;
//   maxLiteralSize(command) per literal (default: APPEND 64 MiB, others 8 KiB) and maxCommandSize
//   (line + literals, default 256 MiB): an over-size synchronising literal -> `NO [TOOBIG]` without
//   reading it; an over-size `{n+}` -> its n bytes and the rest of the command are read and
//   discarded, then `BAD [TOOBIG]`, or the connection is closed if n > maxDiscard (RFC 7888).
//   nonSyncMax: largest `{n+}` accepted (Infinity = LITERAL+, 4096 = LITERAL-).

import { peekCommandName, peekTag } from "./command-peek.js";

export interface Frame {
  line: Buffer;
  literals: Buffer[];
}

export type FramerEvent =
  | { kind: "frame"; frame: Frame }
  | { kind: "continue"; tag: string; size: number }
  | { kind: "line"; line: Buffer }
  | { kind: "error"; tag?: string; status: "BAD" | "NO"; code?: "TOOBIG"; text: string; close: boolean };

export interface FramerOptions {
  maxLineLength?: number;
  maxLiteralSize?: (command: string) => number;
  maxCommandSize?: number;
  nonSyncMax?: number;
  maxDiscard?: number;
}

export const DEFAULT_APPEND_LIMIT = 64 * 1024 * 1024;

function defaultMaxLiteralSize(command: string): number {
  return command === "APPEND" ? DEFAULT_APPEND_LIMIT : 8192;
}

const enum State { Line, Literal, SkipLine, DiscardLiteral }

const MARKER = /(~?)\{([0-9]{1,10})(\+?)\}$/;
const TAIL_KEEP = 24;

export class Framer {
  private readonly maxLine: number;
  private readonly maxLiteral: (command: string) => number;
  private readonly maxCommand: number;
  private readonly nonSyncMax: number;
  private readonly maxDiscard: number;

  private chunks: Buffer[] = [];
  private off = 0; // offset into chunks[0]
  private held = 0;
  private events: FramerEvent[] = [];

  private state: State = State.Line;
  // the line being read
  private lineParts: Buffer[] = [];
  private lineLen = 0;
  // the frame being assembled
  private segments: Buffer[] = [];
  private textLen = 0;
  private literals: Buffer[] = [];
  private commandBytes = 0;
  private head: string | null = null; // latin1 start of the first line: tag + command name
  // literal being read / discarded
  private litParts: Buffer[] = [];
  private litNeed = 0;
  // skipping: a tail of the skipped line (to see a literal marker) and the error to send after
  private tail = "";
  private pendingError: FramerEvent | null = null;
  private rawLine = false;

  constructor(options: FramerOptions = {}) {
    this.maxLine = options.maxLineLength ?? 64 * 1024;
    this.maxLiteral = options.maxLiteralSize ?? defaultMaxLiteralSize;
    this.maxCommand = options.maxCommandSize ?? 256 * 1024 * 1024;
    this.nonSyncMax = options.nonSyncMax ?? Infinity;
    this.maxDiscard = options.maxDiscard ?? 256 * 1024 * 1024;
  }

  get buffered(): number {
    return this.held;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.held += chunk.length;
  }

  /**
   * The bytes not yet read, taken out: after COMPRESS (RFC 4978) what follows the command is
   * compressed data, not commands. Only between commands (nothing half read).
   */
  takeUnread(): Buffer {
    if (this.state !== State.Line || this.lineParts.length || this.segments.length || this.events.length) {
      throw new Error("takeUnread: in the middle of a command");
    }
    const rest = this.chunks.map((c, i) => (i === 0 ? c.subarray(this.off) : c));
    this.chunks = [];
    this.off = 0;
    this.held = 0;
    return Buffer.concat(rest);
  }

  expectRawLine(): void {
    this.rawLine = true;
  }

  next(): FramerEvent | null {
    while (this.events.length === 0) {
      if (!this.step()) break;
    }
    return this.events.shift() ?? null;
  }

  /** Advances the state machine by one piece of input; false when input is exhausted. */
  private step(): boolean {
    if (this.chunks.length === 0) {
      if (this.state === State.Literal && this.litNeed === 0) return this.finishLiteral();
      return false;
    }
    switch (this.state) {
      case State.Line: return this.stepLine();
      case State.Literal: return this.stepLiteral();
      case State.SkipLine: return this.stepSkipLine();
      case State.DiscardLiteral: return this.stepDiscard();
    }
  }

  private take(n: number): Buffer {
    const c = this.chunks[0];
    const piece = c.subarray(this.off, this.off + n);
    this.off += n;
    this.held -= n;
    if (this.off >= c.length) {
      this.chunks.shift();
      this.off = 0;
    }
    return piece;
  }

  /** Drops n bytes of chunks[0] (already seen through a view). */
  private skip(n: number): void {
    this.off += n;
    this.held -= n;
    if (this.off >= this.chunks[0].length) {
      this.chunks.shift();
      this.off = 0;
    }
  }

  private stepLine(): boolean {
    const c = this.chunks[0];
    const lf = c.indexOf(0x0a, this.off);
    if (lf < 0) {
      const piece = this.take(c.length - this.off);
      this.lineParts.push(piece);
      this.lineLen += piece.length;
      if (this.textLen + this.lineLen > this.maxLine + 1) this.lineTooLong();
      return true;
    }
    let line: Buffer;
    if (this.lineParts.length === 0) {
      // the whole line in this chunk (the usual case): one view, without its CRLF
      line = c.subarray(this.off, lf > this.off && c[lf - 1] === 0x0d ? lf - 1 : lf);
      this.skip(lf + 1 - this.off);
    } else {
      const piece = this.take(lf + 1 - this.off);
      this.lineParts.push(piece);
      this.lineLen += piece.length;
      line = Buffer.concat(this.lineParts, this.lineLen);
      this.lineParts = [];
      this.lineLen = 0;
      line = line.subarray(0, line.length - (line.length >= 2 && line[line.length - 2] === 0x0d ? 2 : 1));
    }
    if (this.textLen + line.length > this.maxLine) {
      this.startSkip(line);
      this.endSkip();
      return true;
    }
    if (this.rawLine && this.segments.length === 0) {
      this.rawLine = false;
      this.events.push({ kind: "line", line });
      return true;
    }
    this.lineDone(line);
    return true;
  }

  private lineDone(line: Buffer): void {
    this.segments.push(line);
    this.textLen += line.length;
    this.commandBytes += line.length;
    const m = line.length >= 3 && line[line.length - 1] === 0x7d
      ? MARKER.exec(line.toString("latin1", Math.max(0, line.length - 16)))
      : null;
    if (m === null) {
      const frameLine = this.segments.length === 1 ? this.segments[0] : Buffer.concat(this.segments, this.textLen);
      this.events.push({ kind: "frame", frame: { line: frameLine, literals: this.literals } });
      this.resetFrame();
      return;
    }
    const size = Number(m[2]);
    const nonSync = m[3] === "+";
    if (this.head === null) this.head = this.segments[0].toString("latin1", 0, Math.min(this.segments[0].length, 128));
    const tag = peekTag(this.head);
    const command = peekCommandName(this.head) ?? "";
    const tooBig = size > this.maxLiteral(command) || this.commandBytes + size > this.maxCommand;
    if (!nonSync) {
      if (tooBig) {
        this.events.push(this.error(tag, "NO", "TOOBIG", `Literal of ${size} bytes is too big for ${command || "this command"}`));
        this.resetFrame();
        return;
      }
      if (tag === undefined) {
        // no tag: the command is already lost; do not invite the literal
        this.events.push(this.error(undefined, "BAD", undefined, "Missing or invalid tag"));
        this.resetFrame();
        return;
      }
      this.events.push({ kind: "continue", tag, size });
    } else if (tooBig || size > this.nonSyncMax) {
      const text = size > this.nonSyncMax
        ? `Non-synchronizing literal of ${size} bytes exceeds ${this.nonSyncMax} (LITERAL-)`
        : `Literal of ${size} bytes is too big for ${command || "this command"}`;
      if (size > this.maxDiscard) {
        this.events.push(this.error(tag, "BAD", "TOOBIG", text, true));
        this.resetFrame();
        this.chunks = [];
        this.held = 0;
        this.off = 0;
        return;
      }
      this.pendingError = this.error(tag, "BAD", "TOOBIG", text);
      this.resetFrame();
      this.litNeed = size;
      this.state = State.DiscardLiteral;
      return;
    }
    this.litNeed = size;
    this.litParts = [];
    this.commandBytes += size;
    this.state = State.Literal;
  }

  private stepLiteral(): boolean {
    if (this.litNeed === 0) return this.finishLiteral();
    const c = this.chunks[0];
    const n = Math.min(this.litNeed, c.length - this.off);
    this.litParts.push(this.take(n));
    this.litNeed -= n;
    if (this.litNeed === 0) this.finishLiteral();
    return true;
  }

  private finishLiteral(): boolean {
    const parts = this.litParts;
    this.literals.push(parts.length === 1 ? parts[0] : Buffer.concat(parts));
    this.litParts = [];
    this.state = State.Line;
    return true;
  }

  private lineTooLong(): void {
    const first = this.segments.length === 0;
    const head = first ? Buffer.concat(this.lineParts, Math.min(this.lineLen, 128)).toString("latin1") : this.head ?? "";
    this.pendingError = this.error(peekTag(head), "BAD", undefined, `Command line too long (limit ${this.maxLine} bytes)`);
    this.keepTail(this.lineParts);
    this.lineParts = [];
    this.lineLen = 0;
    this.resetFrame();
    this.state = State.SkipLine;
  }

  /** A complete line over the limit: same outcome as lineTooLong() + the end of the skipped line. */
  private startSkip(line: Buffer): void {
    const head = this.segments.length === 0 ? line.toString("latin1", 0, Math.min(line.length, 128)) : this.head ?? "";
    this.pendingError = this.error(peekTag(head), "BAD", undefined, `Command line too long (limit ${this.maxLine} bytes)`);
    this.tail = "";
    this.keepTail([line]);
    this.resetFrame();
    this.rawLine = false;
  }

  private keepTail(parts: Buffer[]): void {
    for (const p of parts) {
      this.tail = (this.tail + p.toString("latin1", Math.max(0, p.length - TAIL_KEEP))).slice(-TAIL_KEEP);
    }
  }

  /** Skipping the rest of a line we do not keep (too long, or after a discarded literal). */
  private stepSkipLine(): boolean {
    const c = this.chunks[0];
    const lf = c.indexOf(0x0a, this.off);
    const piece = this.take((lf < 0 ? c.length : lf + 1) - this.off);
    if (lf < 0) {
      this.keepTail([piece]);
      return true;
    }
    this.keepTail([piece.subarray(0, piece.length - 1)]);
    if (this.tail.endsWith("\r")) this.tail = this.tail.slice(0, -1);
    this.endSkip();
    return true;
  }

  /** At the end of a skipped line: a `{n+}` marker means n more bytes to discard. */
  private endSkip(): void {
    const m = MARKER.exec(this.tail);
    this.tail = "";
    if (m !== null && m[3] === "+") {
      const size = Number(m[2]);
      if (size > this.maxDiscard) {
        const err = this.pendingError ?? this.error(undefined, "BAD", "TOOBIG", "Literal too big");
        if (err.kind === "error") err.close = true;
        this.events.push(err);
        this.pendingError = null;
        this.chunks = [];
        this.held = 0;
        this.off = 0;
        this.state = State.Line;
        return;
      }
      this.litNeed = size;
      this.state = State.DiscardLiteral;
      return;
    }
    // a synchronising marker: the client waits for `+`, which it will not get
    if (this.pendingError !== null) this.events.push(this.pendingError);
    this.pendingError = null;
    this.state = State.Line;
  }

  private stepDiscard(): boolean {
    if (this.litNeed > 0) {
      const c = this.chunks[0];
      const n = Math.min(this.litNeed, c.length - this.off);
      this.take(n);
      this.litNeed -= n;
    }
    if (this.litNeed === 0) {
      this.tail = "";
      this.state = State.SkipLine;
    }
    return true;
  }

  private resetFrame(): void {
    this.segments = [];
    this.textLen = 0;
    this.literals = [];
    this.commandBytes = 0;
    this.head = null;
  }

  private error(tag: string | undefined, status: "BAD" | "NO", code: "TOOBIG" | undefined, text: string, close = false): FramerEvent {
    const e: { kind: "error"; tag?: string; status: "BAD" | "NO"; code?: "TOOBIG"; text: string; close: boolean } =
      { kind: "error", status, text, close };
    if (tag !== undefined) e.tag = tag;
    if (code !== undefined) e.code = code;
    return e;
  }
}
