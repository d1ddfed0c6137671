// SEARCHRES (RFC 5182): `$` stands for the UIDs the last `SEARCH RETURN (SAVE)` found. Before a
// command runs, every `$` in it becomes an ordinary set: message numbers in a non-UID command
// (of those saved messages still in the view), UIDs in a UID command or a UID search key.
// Saved messages expunged since are simply no longer named (RFC 5182 §2.1).
import type { Command, SearchKey, SequenceSet } from "../../protocol/ast.js";
import type { SessionContext } from "../context.js";
import { asSet } from "./number-set.js";

const EMPTY = asSet([]);

function resolve(s: SessionContext, set: SequenceSet, uid: boolean): SequenceSet {
  if (set.kind !== "saved") return set;
  const view = s.view;
  if (!view) return EMPTY;
  if (uid) return asSet(s.saved);
  return asSet(s.saved.map((u) => view.seqOf(u)).filter((n) => n > 0).sort((a, b) => a - b));
}

function inKey(s: SessionContext, k: SearchKey): SearchKey {
  switch (k.kind) {
    case "UID": return { ...k, set: resolve(s, k.set, true) };
    case "SEQ": return { ...k, set: resolve(s, k.set, false) };
    case "NOT": return { ...k, key: inKey(s, k.key) };
    case "OR": return { ...k, left: inKey(s, k.left), right: inKey(s, k.right) };
    case "AND": return { ...k, keys: k.keys.map((x) => inKey(s, x)) };
    default: return k;
  }
}

/** The command with `$` replaced by what the session saved. */
export function withSaved(s: SessionContext, cmd: Command): Command {
  switch (cmd.name) {
    case "FETCH": case "STORE": case "COPY": case "MOVE":
      return { ...cmd, set: resolve(s, cmd.set, cmd.uid) };
    case "EXPUNGE":
      return cmd.uid ? { ...cmd, set: resolve(s, cmd.set, true) } : cmd;
    case "SEARCH": case "SORT": case "THREAD":
      return { ...cmd, keys: cmd.keys.map((k) => inKey(s, k)) };
    default:
      return cmd;
  }
}
