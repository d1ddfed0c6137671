import type { SessionContext } from "../context.js";
import type { Command } from "../../protocol/ast.js";
import { ok, type Result, type CommandOf } from "../result.js";
import { enabledResponse } from "../../protocol/responses.js";

/** RFC 5161: enables what the table registers as enableable; unknown names are ignored. */
export async function enable(s: SessionContext, cmd: CommandOf<"ENABLE">): Promise<Result> {
  const newly: string[] = [];
  for (const c of cmd.capabilities) {
    const name = c.toUpperCase();
    if (s.enableable().includes(name) && !s.enabled.has(name)) {
      s.enable(name);
      newly.push(name);
    }
  }
  await s.send(enabledResponse(newly));
  return ok("Enabled.");
}
