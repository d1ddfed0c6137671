import type { SessionContext } from "../context.js";
import { ok, type Result } from "../result.js";

/** RFC 2342: one personal namespace, no prefix, `/` as the delimiter. */
export async function namespace(s: SessionContext): Promise<Result> {
  await s.send('* NAMESPACE (("" "/")) NIL NIL');
  return ok("Namespace completed.");
}
