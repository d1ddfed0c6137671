import type { SessionContext } from "../context.js";
import { ok, type Result } from "../result.js";
import { untaggedStatus } from "../../protocol/responses.js";

export async function logout(s: SessionContext): Promise<Result> {
  s.logout();
  await s.send(untaggedStatus("BYE", "Logging out"));
  return ok("Logout completed.");
}
