// What a handler returns: the tagged completion. Untagged data is written by the handler itself.
export type Status = "OK" | "NO" | "BAD";

export interface Result {
  status: Status;
  /** response code without brackets, e.g. `READ-WRITE`, `TRYCREATE`, `APPENDUID 3 7` */
  code?: string;
  text: string;
}

export const ok = (text: string, code?: string): Result => ({ status: "OK", code, text });
export const no = (text: string, code?: string): Result => ({ status: "NO", code, text });
export const bad = (text: string, code?: string): Result => ({ status: "BAD", code, text });

/** Returned by the IDLE handler: the tagged response comes when the client sends DONE. */
export const IDLING: Result = { status: "OK", text: "Idle completed." };

/** A failure after a literal's size was sent: the response cannot be completed, so the
 *  connection must be closed (the client could not find the end of the literal otherwise). */
export class BrokenResponse extends Error {}

/** A failure a handler throws to end the command with NO/BAD (deep inside helpers). */
export class CommandFailure extends Error {
  constructor(readonly result: Result) {
    super(result.text);
  }
}

import type { Command, CommandName } from "../protocol/ast.js";
type Having<C, N> = C extends { name: infer M } ? (N extends M ? C & { name: N } : never) : never;
/** The AST of command N (also when one AST shape serves several names, like DELETE/SUBSCRIBE). */
export type CommandOf<N extends CommandName> = Having<Command, N>;
