import type { Session } from "../session.js";
import { ok, type Result } from "../result.js";

export async function logout(s: Session): Promise<Result> {
  s.select(null);
  s.state = "logout";
  await s.send("* BYE Logging out");
  return ok("Logout completed.");
}
