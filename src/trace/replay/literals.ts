// Splits one recorded client command (literals inline, as RECEIVED records hold it) into the
// pieces a client sends: the text up to and including each literal announcement's CRLF, then
// the literal bytes, and so on. A synchronising literal ({n}) must wait for the server's "+"
// continuation before its bytes go out; a non-synchronising one ({n+}, LITERAL+/LITERAL-) not.
export interface CommandPart {
  /** Bytes to send. */
  bytes: Buffer;
  /** True when the server's "+" continuation must arrive before this part is sent. */
  awaitContinuation: boolean;
}

// A literal announcement ends a line: {n}, {n+}, and literal8 ~{n} / ~{n+} (RFC 3516).
const ANNOUNCEMENT = /\{(\d+)(\+?)\}$/;

export function splitCommand(command: Buffer | string): CommandPart[] {
  const bytes = typeof command === "string" ? Buffer.from(command, "latin1") : command;
  const parts: CommandPart[] = [];
  let start = 0; // start of the piece being built
  let pos = 0; // where to look for the next CRLF (never inside literal data)
  let waitNext = false;
  for (;;) {
    const crlf = bytes.indexOf("\r\n", pos);
    if (crlf < 0) break;
    const m = ANNOUNCEMENT.exec(bytes.subarray(pos, crlf).toString("latin1"));
    if (!m) {
      // A CRLF that does not end a literal announcement (bad input): it goes out as recorded.
      pos = crlf + 2;
      continue;
    }
    const n = Number(m[1]);
    const sync = m[2] === "";
    parts.push({ bytes: bytes.subarray(start, crlf + 2), awaitContinuation: waitNext });
    // The literal's bytes start the next piece; a synchronising literal waits for "+".
    waitNext = sync;
    start = crlf + 2;
    pos = Math.min(bytes.length, crlf + 2 + n);
    if (pos < crlf + 2 + n) break; // truncated literal: send what there is
  }
  const tail = bytes.subarray(start);
  const last = Buffer.concat([tail, Buffer.from("\r\n")]);
  parts.push({ bytes: last, awaitContinuation: waitNext });
  return parts;
}

/** Number of synchronising literals in a command (each costs one "+" continuation). */
export function syncLiteralCount(command: string): number {
  return splitCommand(command).filter((p) => p.awaitContinuation).length;
}
