// NOTIFY (RFC 5465): SET replaces what this connection is told between commands, NONE ends it.
// The checks are the plan's (../notify/plan.ts), the watching and telling the notifier's; a
// successful SET is also a NOOP (§3.1): the session sends the selected mailbox's updates before
// the OK, as after every command.
import type { SessionContext } from "../context.js";
import { makePlan } from "../notify/plan.js";
import { ok, type Result, type CommandOf } from "../result.js";

export async function notify(s: SessionContext, cmd: CommandOf<"NOTIFY">): Promise<Result> {
  if (cmd.set === null) {
    s.notify.clear();
    return ok("NOTIFY NONE completed.");
  }
  const made = makePlan(cmd.set);
  if ("refused" in made) return made.refused;
  const refused = await s.notify.set(made.plan);
  if (refused) return refused;
  await s.view?.mailbox.sync();
  return ok("NOTIFY completed.");
}
