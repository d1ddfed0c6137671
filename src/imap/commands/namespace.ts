import type { SessionContext } from "../context.js";
import { ok, type Result } from "../result.js";
import { namespaceResponse } from "../../protocol/responses.js";

/** RFC 2342: one personal namespace, no prefix, `/` as the delimiter. */
export async function namespace(s: SessionContext): Promise<Result> {
  await s.send(namespaceResponse([["", "/"]]));
  return ok("Namespace completed.");
}
