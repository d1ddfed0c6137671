import type { SessionContext } from "../context.js";
import type { Command } from "../../protocol/ast.js";

import { IDLING, type Result, type CommandOf } from "../result.js";
import { continuation } from "../../protocol/responses.js";

/** IDLE (RFC 2177): the session pushes updates until DONE; the tagged OK comes then. */
export async function idle(s: SessionContext, cmd: CommandOf<"IDLE">): Promise<Result> {
  await s.send(continuation("idling"));
  s.beginIdle(cmd.tag);
  return IDLING;
}
