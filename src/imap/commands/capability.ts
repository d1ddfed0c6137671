import type { SessionContext } from "../context.js";
import { ok, type Result } from "../result.js";

export async function capability(s: SessionContext): Promise<Result> {
  await s.send(`* CAPABILITY ${s.capabilities().join(" ")}`);
  return ok("Capability completed.");
}
