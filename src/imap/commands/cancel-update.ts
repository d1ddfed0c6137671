// CANCELUPDATE (RFC 5267 §4.3.5): the named UPDATE contexts send nothing more. A tag that names
// no context refuses the whole command with NO, as Dovecot answers, so a typo is noticed
// rather than half done.
import type { SelectedContext } from "../context.js";
import { ok, no, type Result, type CommandOf } from "../result.js";

export async function cancelUpdate(s: SelectedContext, cmd: CommandOf<"CANCELUPDATE">): Promise<Result> {
  const unknown = s.updates.unknown(cmd.tags);
  if (unknown.length) return no(`Unknown tag: no UPDATE context for ${unknown.map((t) => `"${t}"`).join(", ")}.`);
  s.updates.cancel(cmd.tags);
  return ok("No further updates.");
}
