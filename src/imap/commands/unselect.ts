import type { Session } from "../session.js";
import { ok, type Result } from "../result.js";

/** RFC 3691: leave the selected state without expunging. */
export async function unselect(s: Session): Promise<Result> {
  s.select(null);
  return ok("Unselect completed.");
}
