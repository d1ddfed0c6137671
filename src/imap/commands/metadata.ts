// GETMETADATA and SETMETADATA (RFC 5464): annotations of a mailbox, or of the server (mailbox
// ""), kept in the user's state database. A user shares nothing with other users, so /shared
// and /private entries are both the user's own; both are kept (no NOPRIVATE). Two entries are
// the server's, read-only as in Dovecot (NO [CANNOT]): a mailbox's /private/specialuse (RFC 6154
// §4: the attribute LIST gives it) and the server's /shared/admin (asimapd's --server-admin).
import type { SessionContext } from "../context.js";
import type { Annotations } from "../../store/contract.js";
import { isBelow } from "../../store/metadata.js";
import { ok, no, type Result, type CommandOf } from "../result.js";
import { checkedMailbox } from "../mailbox-argument.js";
import { codes, metadataResponse } from "../../protocol/responses.js";

/** The largest value SETMETADATA stores (RFC 5464 §4.1 asks at least 1024; Dovecot has no limit
 *  of its own). A literal up to SETMETADATA_LITERAL_MAX reaches us and gets [METADATA MAXSIZE]. */
export const METADATA_MAX_VALUE = 64 * 1024;
export const SETMETADATA_LITERAL_MAX = 1024 * 1024;
/** The most entries one mailbox (or the server) keeps (§4.1 asks at least 10). */
export const METADATA_MAX_ENTRIES = 128;

const SPECIALUSE = "/private/specialuse";
const ADMIN = "/shared/admin";

/** What the command names: the server (null) or a mailbox, its annotations and computed entries. */
interface Target {
  mailbox: string | null;
  stored: Annotations;
  computed: Map<string, Buffer>;
}

async function target(s: SessionContext, mailbox: string): Promise<Target> {
  if (mailbox === "") {
    const computed = new Map<string, Buffer>();
    if (s.shared.serverAdmin) computed.set(ADMIN, Buffer.from(s.shared.serverAdmin, "utf8"));
    return { mailbox: null, stored: await s.store.annotations(null), computed };
  }
  const name = checkedMailbox(mailbox);
  const stored = await s.store.annotations(name); // NO [NONEXISTENT] for a name LIST does not show
  const info = (await s.store.list()).find((i) => i.name === name);
  const computed = new Map<string, Buffer>();
  if (info?.specialUse) computed.set(SPECIALUSE, Buffer.from(info.specialUse, "latin1"));
  return { mailbox: name, stored, computed };
}

/** The entries below `entry` up to `depth` levels, stored and computed, sorted by name. */
function below(t: Target, entry: string, depth: number): Array<[string, Buffer]> {
  const found = new Map(t.stored.below(entry, depth));
  for (const [name, value] of t.computed) if (isBelow(entry, name, depth)) found.set(name, value);
  return [...found].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

export async function getmetadata(s: SessionContext, cmd: CommandOf<"GETMETADATA">): Promise<Result> {
  const t = await target(s, cmd.mailbox);
  const maxSize = cmd.maxSize ?? Infinity;
  const depth = cmd.depth === "infinity" ? Infinity : cmd.depth;
  const out: Array<[string, Buffer | null]> = [];
  const sent = new Set<string>();
  let longest = 0;
  const add = (entry: string, value: Buffer | undefined): void => {
    if (sent.has(entry)) return;
    sent.add(entry);
    // an entry without a value is NIL at DEPTH 0; with DEPTH only entries that exist are
    // returned (§4.2.2), as Dovecot does
    if (value === undefined) {
      if (depth === 0) out.push([entry, null]);
    } else if (value.length > maxSize) {
      longest = Math.max(longest, value.length); // §4.2.1
    } else {
      out.push([entry, value]);
    }
  };
  for (const entry of cmd.entries) {
    add(entry, t.computed.get(entry) ?? t.stored.get(entry));
    if (depth > 0) for (const [name, value] of below(t, entry, depth)) add(name, value);
  }
  if (out.length > 0) await s.send(metadataResponse(t.mailbox ?? "", out, s.utf8));
  return longest > 0 ? ok("Getmetadata completed.", codes.metadataLongEntries(longest)) : ok("Getmetadata completed.");
}

export async function setmetadata(s: SessionContext, cmd: CommandOf<"SETMETADATA">): Promise<Result> {
  const t = await target(s, cmd.mailbox);
  const readOnly = t.mailbox === null ? ADMIN : SPECIALUSE;
  // §4.3: when one entry cannot be set, none is
  for (const [entry, value] of cmd.entries) {
    if (entry === readOnly) return no(`The ${entry} attribute cannot be changed`, "CANNOT");
    if (value !== null && value.length > METADATA_MAX_VALUE) {
      return no(`The value of ${entry} is larger than ${METADATA_MAX_VALUE} octets.`, codes.metadataMaxSize(METADATA_MAX_VALUE));
    }
  }
  // (the session as origin: NOTIFY does not tell it of its own change, RFC 5465 §5)
  if (!t.stored.apply(cmd.entries, METADATA_MAX_ENTRIES, s)) {
    return no(`More than ${METADATA_MAX_ENTRIES} entries on one mailbox.`, codes.metadataTooMany);
  }
  return ok("Setmetadata completed.");
}
