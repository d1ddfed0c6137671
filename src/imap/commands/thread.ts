// THREAD / UID THREAD (RFC 5256): ORDEREDSUBJECT, REFERENCES and Dovecot's REFS over the matching messages,
// from the cached index.
import type { SelectedContext } from "../context.js";
import { ok, type Result, type CommandOf } from "../result.js";
import { badCharset, matchingItems } from "./sort.js";
import { numbered, orderedSubject, references } from "../search/threading.js";
import { threadResponse } from "../../protocol/responses.js";

export async function thread(s: SelectedContext, cmd: CommandOf<"THREAD">): Promise<Result> {
  const refused = badCharset(cmd.charset);
  if (refused) return refused;
  const items = await matchingItems(s.view, cmd.keys);
  const threads = cmd.algorithm === "ORDEREDSUBJECT" ? orderedSubject(items) : references(items, cmd.algorithm === "REFS");
  await s.send(threadResponse(numbered(threads, (i) => (cmd.uid ? i.uid : i.seq))));
  return ok("Thread completed.");
}
