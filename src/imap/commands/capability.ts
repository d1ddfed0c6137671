import type { Session } from "../session.js";
import { ok, type Result } from "../result.js";

export async function capability(s: Session): Promise<Result> {
  await s.send(`* CAPABILITY ${s.capabilities().join(" ")}`);
  return ok("Capability completed.");
}
