import type { SelectedContext, SessionContext } from "../context.js";
import { ok, type Result } from "../result.js";

/** NOOP and CHECK: nothing to do here; the session sends pending updates before the OK. */
export async function noop(s: SessionContext): Promise<Result> {
  await s.view?.mailbox.sync();
  return ok("NOOP completed.");
}

export async function check(s: SelectedContext): Promise<Result> {
  await s.view.mailbox.sync();
  return ok("Check completed.");
}
