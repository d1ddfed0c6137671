// The parser wrapper: a frame from the framer -> a typed Command, or a ParseError.
//
// Exported API (stable):
//   parseCommand(frame: Frame): Command
//       Parses one command. Throws only ParseError. `frame.line` holds the command text with each
//       literal as its marker (`{n}`, `{n+}`, `~{n}`), `frame.literals` the literal bytes in order.
//   class ParseError extends Error { tag?: string; command?: string; status; code?; message }
//       `message` is the precise reason, ready to be the text of `<tag> <status> [<code>] <message>`
//       (use `*` when `tag` is undefined). status is BAD, or NO [CANNOT] when the command is
//       well-formed but names a mailbox that is not valid modified UTF-7.
//   peekTag(line: Buffer | string): string | undefined
//       The tag of a command line if it has a syntactically valid one (cheap; for error replies).
//   peekCommandName(line): string | undefined
//       The upper-cased command name after the tag ("UID FETCH" for UID commands).
//   parseRule(rule, text, literals?): unknown
//       Runs one grammar sub-rule (sequenceSet, searchKey, fetchAtt, section, mailbox, dateTime,
//       ...) on latin1 text; for tests and tools. Throws ParseError.
// The grammar (grammar/imap.peggy) is the only definition of the syntax.

import { parse as peggyParse, SyntaxError as PeggySyntaxError } from "../gen/imap-parser.js";
import type { StartRuleNames } from "../gen/imap-parser.js";
import type { Command } from "./ast.js";
import type { Frame } from "./framer.js";
import { decodeMailboxName } from "./mutf7.js";
import { peekCommandName, peekTag } from "./command-peek.js";

export type { Frame };
export { peekCommandName, peekTag };

export class ParseError extends Error {
  readonly tag?: string;
  readonly command?: string;
  /** BAD for syntax; NO [CANNOT] for a well-formed command naming a mailbox that cannot exist */
  status: "BAD" | "NO" = "BAD";
  code?: "CANNOT";
  constructor(message: string, tag?: string, command?: string) {
    // the text goes on the wire as resp-text: printable ASCII only, so a CR/LF from the input
    // can never inject a line
    super(message.replace(/[^\x20-\x7e]/g, (c) => "\\x" + c.charCodeAt(0).toString(16).padStart(2, "0")));
    this.name = "ParseError";
    if (tag !== undefined) this.tag = tag;
    if (command !== undefined) this.command = command;
  }
}

export function parseCommand(frame: Frame): Command {
  const text = frame.line.toString("latin1");
  // a literal object (not a spread): keeps the options' shape monomorphic, 2x faster
  const options = { mailbox: decodeMailboxName, literals: frame.literals, invalidMailbox: undefined as string | undefined };
  let cmd: Command;
  try {
    cmd = peggyParse(text, options) as Command;
  } catch (e) {
    throw toParseError(e, text);
  }
  if (options.invalidMailbox !== undefined) {
    // as Dovecot: a name that is not modified UTF-7 is no syntax error, but no mailbox has it
    const err = new ParseError(options.invalidMailbox, cmd.tag, peekCommandName(text));
    err.status = "NO";
    err.code = "CANNOT";
    throw err;
  }
  return cmd;
}

export function parseRule(rule: StartRuleNames, text: string, literals: Buffer[] = []): unknown {
  const options = { mailbox: decodeMailboxName, literals, startRule: rule, invalidMailbox: undefined as string | undefined };
  let value: unknown;
  try {
    value = peggyParse(text, options);
  } catch (e) {
    if (e instanceof PeggySyntaxError) throw new ParseError(describe(e, text));
    throw toParseError(e, text);
  }
  if (options.invalidMailbox !== undefined) throw new ParseError(options.invalidMailbox);
  return value;
}

function toParseError(e: unknown, text: string): ParseError {
  const tag = peekTag(text);
  const name = tag === undefined ? undefined : peekCommandName(text);
  let reason: string;
  if (e instanceof PeggySyntaxError) {
    reason = describe(e, text);
  } else if (e instanceof RangeError) {
    reason = "Command is nested too deeply";
  } else {
    // an action failed in a way the grammar did not foresee: still a syntax error for the client
    reason = "Invalid command: " + (e instanceof Error ? e.message : String(e));
  }
  if (text.length === 0) reason = "Empty command line";
  else if (tag === undefined) reason = "Missing or invalid tag";
  else if (text.length === tag.length) reason = "Missing command name after the tag";
  const plain = /^(Unknown command|Missing arguments for) /.test(reason);
  const message = name !== undefined && !plain ? `Error in IMAP command ${name}: ${reason}` : reason;
  return new ParseError(message, tag, name);
}

function describe(e: PeggySyntaxError, text: string): string {
  const col = e.location.start.offset;
  if (e.expected === null) return e.message; // error() from an action: already precise
  const expectsOnlyEnd = e.expected.length > 0 && e.expected.every((x) => x.type === "end");
  if (expectsOnlyEnd) return `Unexpected arguments at column ${col + 1}: ${JSON.stringify(clip(text.slice(col)))}`;
  return `${e.message.replace(/\.$/, "")} at column ${col + 1}`;
}

function clip(s: string): string {
  return s.length > 40 ? s.slice(0, 40) + "..." : s;
}
