// THREAD / UID THREAD (RFC 5256): ORDEREDSUBJECT and REFERENCES over the matching messages,
// from the cached index.
import type { SelectedContext } from "../context.js";
import { ok, type Result, type CommandOf } from "../result.js";
import { badCharset, matchingItems } from "./sort.js";
import { orderedSubject, references, threadText } from "../search/threading.js";

export async function thread(s: SelectedContext, cmd: CommandOf<"THREAD">): Promise<Result> {
  const refused = badCharset(cmd.charset);
  if (refused) return refused;
  const items = await matchingItems(s.view, cmd.keys);
  const threads = cmd.algorithm === "REFERENCES" ? references(items) : orderedSubject(items);
  const text = threadText(threads, (i) => (cmd.uid ? i.uid : i.seq));
  await s.send(text ? `* THREAD ${text}` : "* THREAD");
  return ok("Thread completed.");
}
