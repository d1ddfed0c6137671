import type { SessionContext } from "../context.js";
import { ok, type Result } from "../result.js";
import { capabilityResponse } from "../../protocol/responses.js";

export async function capability(s: SessionContext): Promise<Result> {
  await s.send(capabilityResponse(s.capabilities()));
  return ok("Capability completed.");
}
