// COMPRESS (RFC 4978): DEFLATE both ways from the byte after the tagged OK. The session does the
// switch; here only the answer. A second COMPRESS is refused as Dovecot refuses it.
import type { SessionContext } from "../context.js";
import { bad, no, ok, type CommandOf, type Result } from "../result.js";

export async function compress(s: SessionContext, cmd: CommandOf<"COMPRESS">): Promise<Result> {
  if (cmd.mechanism !== "DEFLATE") return bad(`Unknown compression mechanism ${cmd.mechanism}.`);
  if (s.compressing) return no("DEFLATE is active already.", "COMPRESSIONACTIVE");
  s.startCompression();
  return ok("DEFLATE active.");
}
