import type { SessionContext } from "../context.js";
import type { Command } from "../../protocol/ast.js";
import { ok, type Result, type CommandOf } from "../result.js";
import { idResponse } from "../../protocol/responses.js";

/** RFC 2971: log what the client says about itself, say who we are. */
export async function id(s: SessionContext, cmd: CommandOf<"ID">): Promise<Result> {
  if (cmd.params) s.log.info({ clientId: Object.fromEntries(cmd.params) }, "client ID");
  const ours: Array<[string, string]> = [
    ["name", "asimap"],
    ["version", s.shared.version],
    ["vendor", "asimap"],
    ["support-url", "https://github.com/scanner/asimap/issues"],
  ];
  await s.send(idResponse(ours));
  return ok("ID completed.");
}
