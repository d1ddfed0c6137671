// What a command handler sees of its connection: one context per state. Every command gets a
// `SessionContext`; a command allowed only in the selected state gets a `SelectedContext`, whose
// view is the mailbox selected when it began and is never null. The session implements these;
// handlers import only this file, so no command imports the session that dispatches to it.
import type { UserStore } from "../store/contract.js";
import type { Logger, TraceSink } from "./api.js";
import type { MailboxView } from "./view.js";
import type { RecentClaims } from "./recent.js";
import type { SearchUpdates } from "./search/update-contexts.js";
import type { Result } from "./result.js";
import type { NotifyPlan } from "./notify/plan.js";

export type State = "authenticated" | "selected" | "logout";

/** What all sessions of one user share. */
export interface Shared {
  store: UserStore;
  recent: RecentClaims;
  version: string;
  /** the largest message APPEND accepts, bytes (advertised as APPENDLIMIT) */
  maxMessageSize: number;
  idleTimeoutMs: number;
  /** LITERAL- instead of LITERAL+ (RFC 7888 §5) */
  literalMinus: boolean;
  /** how often a session in IDLE re-checks its mailbox and says it is still there, ms */
  idleKeepaliveMs: number;
  /** the most mailboxes one session's NOTIFY may watch for message events */
  notifyMaxMailboxes: number;
  /** RFC 5464's server entry /shared/admin: a URI for reaching the administrator (--server-admin) */
  serverAdmin?: string;
  trace?: TraceSink;
}

/** A session's NOTIFY (RFC 5465), as the NOTIFY command drives it. */
export interface NotifyControl {
  /** NOTIFY SET: null when the plan is in effect, else the NO that refused it (the old plan stays) */
  set(plan: NotifyPlan): Promise<Result | null>;
  /** NOTIFY NONE */
  clear(): void;
}

/** A command's view of its session, in any state after login. */
export interface SessionContext {
  readonly shared: Shared;
  readonly store: UserStore;
  readonly log: Logger;
  /** the selected mailbox, if any (a selected-state command gets it in `SelectedContext.view`) */
  readonly view: MailboxView | null;
  /** extensions switched on by ENABLE or an enabling command */
  readonly enabled: ReadonlySet<string>;
  /** CONDSTORE is on (ENABLE, SELECT (CONDSTORE) or a CONDSTORE enabling command, RFC 7162 §3.1) */
  readonly condstore: boolean;
  /** IMAP4rev2 rules (RFC 9051) are on: ENABLE IMAP4rev2 */
  readonly rev2: boolean;
  /** mailbox names (and quoted strings) are UTF-8 on the wire: IMAP4rev2 or UTF8=ACCEPT (RFC 6855) */
  readonly utf8: boolean;
  /** SEARCHRES (RFC 5182): the UIDs the last SEARCH ... RETURN (SAVE) found; `$` names them */
  saved: number[];
  /** RFC 5267: the SEARCH/SORT RETURN (UPDATE) contexts of the selected mailbox */
  readonly updates: SearchUpdates;
  /** NOTIFY's state for this connection */
  readonly notify: NotifyControl;
  capabilities(): string[];
  /** what ENABLE may switch on */
  enableable(): string[];
  /** Switches an extension on for the rest of the connection; QRESYNC implies CONDSTORE. */
  enable(name: string): void;
  /** Changes the selected mailbox (null: back to authenticated). */
  select(view: MailboxView | null): void;
  /** The client said LOGOUT: the connection closes after the tagged response. */
  logout(): void;
  /** COMPRESS=DEFLATE (RFC 4978) is on for this connection */
  readonly compressing: boolean;
  /** COMPRESS: everything after the tagged OK of this command is compressed, both ways. */
  startCompression(): void;
  /** IDLE: updates are pushed until the client's DONE ends the command with `tag`. */
  beginIdle(tag: string): void;
  /** Writes one response line (CRLF added), waiting for the socket when it is full. */
  send(line: string | Buffer): Promise<void>;
  /** Writes response lines (CRLF added to each) in writes of about 64 KB, not one per line. */
  sendLines(lines: readonly string[]): Promise<void>;
  /** Writes bytes (a literal's body), with back-pressure. */
  write(chunk: Buffer | string): Promise<void>;
}

/** A command's view of its session in the selected state: the view is always there. */
export interface SelectedContext extends SessionContext {
  readonly view: MailboxView;
}

/** The session as a selected-state command sees it: everything delegated, `view` pinned.
 *  A class, so each command allocates one small object, not a closure per member. */
class SelectedSession implements SelectedContext {
  constructor(private readonly s: SessionContext, readonly view: MailboxView) {}
  get shared() { return this.s.shared; }
  get store() { return this.s.store; }
  get log() { return this.s.log; }
  get enabled() { return this.s.enabled; }
  get condstore() { return this.s.condstore; }
  get rev2() { return this.s.rev2; }
  get utf8() { return this.s.utf8; }
  get saved() { return this.s.saved; }
  set saved(uids: number[]) { this.s.saved = uids; }
  get updates() { return this.s.updates; }
  get compressing() { return this.s.compressing; }
  get notify() { return this.s.notify; }
  capabilities() { return this.s.capabilities(); }
  enableable() { return this.s.enableable(); }
  enable(name: string) { this.s.enable(name); }
  select(v: MailboxView | null) { this.s.select(v); }
  logout() { this.s.logout(); }
  startCompression() { this.s.startCompression(); }
  beginIdle(tag: string) { this.s.beginIdle(tag); }
  send(r: string | Buffer) { return this.s.send(r); }
  sendLines(r: readonly string[]) { return this.s.sendLines(r); }
  write(c: Buffer | string) { return this.s.write(c); }
}

export function selectedContext(s: SessionContext, view: MailboxView): SelectedContext {
  return new SelectedSession(s, view);
}
