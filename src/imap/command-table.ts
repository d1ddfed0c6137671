// THE command table: one entry per command name, the states it is allowed in, its handler, and
// the capabilities it brings. The CAPABILITY list is computed from this table; a command that is
// not here does not exist for the client. Adding a command = grammar rule + AST type + entry here.
import type { Command, CommandName } from "../protocol/ast.js";
import type { SessionContext, SelectedContext, State } from "./context.js";
import { type Result, type CommandOf } from "./result.js";
import { capability } from "./commands/capability.js";
import { noop, check } from "./commands/noop.js";
import { logout } from "./commands/logout.js";
import { id } from "./commands/id.js";
import { namespace } from "./commands/namespace.js";
import { enable } from "./commands/enable.js";
import { alreadyAuthenticated, starttlsAfterLogin } from "./commands/login.js";
import { select } from "./commands/select.js";
import { create, del, rename, subscribe } from "./commands/mailboxes.js";
import { list, lsub } from "./commands/list.js";
import { status } from "./commands/status.js";
import { append } from "./commands/append.js";
import { idle } from "./commands/idle.js";
import { unselect } from "./commands/unselect.js";
import { expunge, close } from "./commands/expunge.js";
import { search } from "./commands/search.js";
import { fetch } from "./commands/fetch.js";
import { store } from "./commands/store.js";
import { copy } from "./commands/copy.js";
import { sort } from "./commands/sort.js";
import { thread } from "./commands/thread.js";
import { compress } from "./commands/compress.js";
import { cancelUpdate } from "./commands/cancel-update.js";
import { getquota, getquotaroot, setquota } from "./commands/quota.js";
import { notify } from "./commands/notify.js";
import { getmetadata, setmetadata } from "./commands/metadata.js";

/** A command allowed after login in any state. */
export type Handler<N extends CommandName> = (s: SessionContext, cmd: CommandOf<N>) => Promise<Result>;
/** A command allowed only with a mailbox selected: it gets the selected view, never null. */
export type SelectedHandler<N extends CommandName> = (s: SelectedContext, cmd: CommandOf<N>) => Promise<Result>;

interface EntryBase {
  /** capabilities this command makes true (advertised because the entry is here) */
  capabilities?: readonly string[];
  /** what ENABLE (RFC 5161) may switch on through this command */
  enable?: readonly string[];
}
interface AnyStateEntry<N extends CommandName> extends EntryBase {
  states: typeof ANY;
  handler: Handler<N>;
}
export interface SelectedEntry<N extends CommandName> extends EntryBase {
  states: typeof SELECTED;
  handler: SelectedHandler<N>;
}
export type Entry<N extends CommandName> = AnyStateEntry<N> | SelectedEntry<N>;

const ANY = ["authenticated", "selected"] as const satisfies readonly State[];
const SELECTED = ["selected"] as const satisfies readonly State[];

export const COMMANDS: { readonly [N in CommandName]: Entry<N> } = {
  CAPABILITY: { states: ANY, handler: capability },
  NOOP: { states: ANY, handler: noop },
  LOGOUT: { states: ANY, handler: logout },
  ID: { states: ANY, handler: id, capabilities: ["ID"] },
  STARTTLS: { states: ANY, handler: starttlsAfterLogin },
  AUTHENTICATE: { states: ANY, handler: alreadyAuthenticated },
  LOGIN: { states: ANY, handler: alreadyAuthenticated },
  ENABLE: { states: ANY, handler: enable, capabilities: ["ENABLE", "UTF8=ACCEPT"], enable: ["IMAP4rev2", "UTF8=ACCEPT"] },
  COMPRESS: { states: ANY, handler: compress, capabilities: ["COMPRESS=DEFLATE"] },
  SELECT: { states: ANY, handler: select, capabilities: ["QRESYNC"], enable: ["QRESYNC"] },
  EXAMINE: { states: ANY, handler: select },
  CREATE: { states: ANY, handler: create, capabilities: ["CREATE-SPECIAL-USE"] },
  DELETE: { states: ANY, handler: del },
  RENAME: { states: ANY, handler: rename },
  SUBSCRIBE: { states: ANY, handler: subscribe },
  UNSUBSCRIBE: { states: ANY, handler: subscribe },
  LIST: {
    states: ANY, handler: list,
    capabilities: ["CHILDREN", "LIST-EXTENDED", "LIST-STATUS", "SPECIAL-USE"],
  },
  LSUB: { states: ANY, handler: lsub },
  XLIST: { states: ANY, handler: list, capabilities: ["XLIST"] },
  NAMESPACE: { states: ANY, handler: namespace, capabilities: ["NAMESPACE"] },
  STATUS: { states: ANY, handler: status, capabilities: ["STATUS=SIZE"] },
  GETQUOTA: { states: ANY, handler: getquota, capabilities: ["QUOTA", "QUOTA=RES-STORAGE", "QUOTA=RES-MESSAGE"] },
  GETQUOTAROOT: { states: ANY, handler: getquotaroot },
  SETQUOTA: { states: ANY, handler: setquota },
  GETMETADATA: { states: ANY, handler: getmetadata, capabilities: ["METADATA"] },
  SETMETADATA: { states: ANY, handler: setmetadata },
  APPEND: { states: ANY, handler: append, capabilities: ["MULTIAPPEND", "CATENATE"] },
  IDLE: { states: ANY, handler: idle, capabilities: ["IDLE"] },
  NOTIFY: { states: ANY, handler: notify, capabilities: ["NOTIFY"] },
  CHECK: { states: SELECTED, handler: check },
  CLOSE: { states: SELECTED, handler: close },
  UNSELECT: { states: SELECTED, handler: unselect, capabilities: ["UNSELECT"] },
  EXPUNGE: { states: SELECTED, handler: expunge, capabilities: ["UIDPLUS"] },
  SEARCH: { states: SELECTED, handler: search, capabilities: ["ESEARCH", "SEARCHRES", "WITHIN", "CONTEXT=SEARCH", "SAVEDATE"] },
  CANCELUPDATE: { states: SELECTED, handler: cancelUpdate },
  FETCH: { states: SELECTED, handler: fetch, capabilities: ["CONDSTORE", "BINARY", "OBJECTID", "PREVIEW"], enable: ["CONDSTORE"] },
  STORE: { states: SELECTED, handler: store },
  COPY: { states: SELECTED, handler: copy },
  MOVE: { states: SELECTED, handler: copy, capabilities: ["MOVE"] },
  SORT: { states: SELECTED, handler: sort, capabilities: ["SORT", "SORT=DISPLAY", "ESORT", "CONTEXT=SORT"] },
  THREAD: {
    states: SELECTED, handler: thread, capabilities: ["THREAD=ORDEREDSUBJECT", "THREAD=REFERENCES", "THREAD=REFS"],
  },
};

/** Protocol-level capabilities (the framer and parser provide them), then the table's. */
export function capabilities(literal: "LITERAL+" | "LITERAL-", extra: readonly string[] = []): string[] {
  const caps = ["IMAP4rev1", "IMAP4rev2", literal];
  for (const e of Object.values(COMMANDS) as Entry<CommandName>[]) {
    for (const c of e.capabilities ?? []) if (!caps.includes(c)) caps.push(c);
  }
  return [...caps, ...extra];
}

export function enableable(): string[] {
  return (Object.values(COMMANDS) as Entry<CommandName>[]).flatMap((e) => [...(e.enable ?? [])]);
}

/** Whether the entry's handler wants a selected view (the session then pins one). */
export function needsSelected<N extends CommandName>(e: Entry<N>): e is SelectedEntry<N> {
  return e.states === SELECTED;
}

export function entryFor(name: CommandName): Entry<CommandName> {
  return COMMANDS[name] as unknown as Entry<CommandName>;
}
