// What the user process (src/user) needs from the IMAP engine. The engine implements
// `createUserServer` in src/imap/user-server.ts; the user process and the demo/tests call it.
import type { Duplex } from "node:stream";
import type { EventEmitter } from "node:events";
import type { Handoff } from "../protocol/handoff.js";

/** One trace record as trace format 1.0 writes it (see reference/asimap.md §6.5). */
export interface TraceRecord {
  connection: string; // "client-00000001"
  remote: string; // the real client address
  msg_type: "CONNECT" | "RECEIVED" | "SEND" | "CLOSE";
  /** RECEIVED: the complete command, literals inline, no final CRLF; SEND: one response
   *  chunk with its CRLF; both latin-1 decoded */
  data?: string;
}

export interface TraceSink {
  /** false while tracing is off (SIGUSR1 toggles it) */
  readonly enabled: boolean;
  record(rec: TraceRecord): void;
}

export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  child(bindings: object): Logger;
}

/** The full-text index (src/imap/fts) as asimapd configures it. */
export interface FtsOptions {
  /** false: no index, SEARCH scans (asimapd --no-fts) */
  enabled: boolean;
  /** the index file grows no larger (asimapd --fts-max-size); beyond it new mail is scanned */
  maxBytes?: number;
  /** index a folder when it is first opened, not only when first searched */
  onOpen?: boolean;
}

export interface UserServerOptions {
  username: string;
  /** the user's MH mail root */
  maildir: string;
  logger: Logger;
  trace?: TraceSink;
  /** take nmh's lock while writing (default: ENABLE_MH_FILE_LOCKING, on unless 0/false/no) */
  locking?: boolean;
  /** the largest message APPEND accepts (APPENDLIMIT), bytes */
  maxMessageSize?: number;
  /** LITERAL- instead of LITERAL+ (RFC 7888 §5): non-synchronizing literals up to 4096 bytes */
  literalMinus?: boolean;
  /** RFC 5464's server entry /shared/admin: a URI for reaching the administrator (none by default) */
  serverAdmin?: string;
  /** autologout after this much idle time, ms (default 30 minutes) */
  idleTimeoutMs?: number;
  /** the message cache is emptied this long after the last connection closed, ms (default 60 s) */
  cacheIdleMs?: number;
  /** the full-text index (default: on, no size cap, a folder indexed when first searched) */
  fts?: FtsOptions;
  /** the most mailboxes one session's NOTIFY may watch for message events (1000) */
  notifyMaxMailboxes?: number;
}

export interface UserServer extends EventEmitter {
  /** Runs a session on a hand-over connection; the session starts authenticated and first
   *  completes the login command named in the hand-off (tagged OK with capabilities). */
  attach(socket: Duplex, handoff: Handoff): void;
  readonly connectionCount: number;
  /** Every session gets `* BYE`, state is flushed, the store closed. */
  shutdown(reason?: string): Promise<void>;
  /** emitted when the last connection closes */
  on(event: "empty", listener: () => void): this;
}

export type CreateUserServer = (opts: UserServerOptions) => Promise<UserServer>;
