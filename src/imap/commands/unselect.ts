import type { SelectedContext } from "../context.js";
import { ok, type Result } from "../result.js";

/** RFC 3691: leave the selected state without expunging. */
export async function unselect(s: SelectedContext): Promise<Result> {
  s.select(null);
  return ok("Unselect completed.");
}
