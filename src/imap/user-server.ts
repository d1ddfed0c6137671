// The IMAP engine for one user: opens the user's store, runs a session per hand-over
// connection, and tells the user process when the last connection is gone.
import { EventEmitter } from "node:events";
import type { Duplex } from "node:stream";
import { createRequire } from "node:module";
import type { Handoff } from "../protocol/handoff.js";
import { lockingFromEnv, openUserStore } from "../store/open-store.js";
import type { CreateUserServer, UserServer, UserServerOptions } from "./api.js";
import { RecentClaims } from "./recent.js";
import { messageCache } from "./message-cache.js";
import { Session } from "./session.js";
import type { Shared } from "./context.js";
import { DEFAULT_APPEND_LIMIT } from "../protocol/framer.js";
import { FtsIndexer } from "./fts/fts-indexer.js";

const THIRTY_MINUTES = 30 * 60 * 1000;
const IDLE_KEEPALIVE = 2 * 60 * 1000;
/** NOTIFY's limit per session (README, "Limits"): an fs.watch each, from the owner's inotify watches */
export const NOTIFY_MAX_MAILBOXES = 1000;

function packageVersion(): string {
  try {
    const req = createRequire(import.meta.url);
    for (const p of ["../../package.json", "../../../package.json"]) {
      try {
        return (req(p) as { version: string }).version;
      } catch {
        /* try the next layout (sources vs dist) */
      }
    }
  } catch {
    /* fall through */
  }
  return "unknown";
}

/** sessions of every engine in this process: the message cache is the process's */
let liveSessions = 0;

class Server extends EventEmitter implements UserServer {
  private sessions = new Set<Session>();
  private counter = 0;
  private cacheTimer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: UserServerOptions, private readonly shared: Shared, readonly fts: FtsIndexer) {
    super();
  }

  get connectionCount(): number {
    return this.sessions.size;
  }

  attach(socket: Duplex, handoff: Handoff): void {
    clearTimeout(this.cacheTimer);
    // each login brings the limits the password file (or asimapd's default) gives now
    this.shared.store.quota.limits = { ...handoff.quota };
    const name = `client-${String(++this.counter).padStart(8, "0")}`;
    const log = this.opts.logger.child({ connection: name, remote: handoff.remote });
    const session = new Session(this.shared, socket, handoff, name, log, () => {
      this.sessions.delete(session);
      liveSessions--;
      log.info({}, "connection closed");
      if (this.sessions.size === 0) {
        // The process lingers (30 minutes by default) for the next login: the cache (up to
        // 48 MB) goes after a minute without connections to any of its users; a client that
        // reconnects at once (phones do) still finds it.
        this.cacheTimer = setTimeout(() => {
          if (liveSessions === 0) messageCache.clear();
        }, this.opts.cacheIdleMs ?? 60_000);
        this.cacheTimer.unref();
        this.emit("empty");
      }
    });
    this.sessions.add(session);
    liveSessions++;
    log.info({ user: handoff.user, tls: handoff.tls }, "connection attached");
    session.start();
  }

  async shutdown(reason = "Server shutting down."): Promise<void> {
    clearTimeout(this.cacheTimer);
    await Promise.all([...this.sessions].map((s) => s.bye(reason)));
    this.fts.close();
    await this.shared.store.close();
  }
}

export const createUserServer: CreateUserServer = async (opts) => {
  const fts = new FtsIndexer(opts.maildir, opts.fts ?? { enabled: true }, opts.logger.child({ fts: true }));
  const store = await openUserStore(opts.maildir, {
    locking: opts.locking ?? lockingFromEnv(), logger: opts.logger, onChange: (c) => fts.changed(c),
  });
  fts.attach(store);
  const shared: Shared = {
    store,
    recent: new RecentClaims(),
    version: packageVersion(),
    // RFC 7889: the limit is always advertised, the framer's default when none is configured
    maxMessageSize: opts.maxMessageSize ?? DEFAULT_APPEND_LIMIT,
    literalMinus: opts.literalMinus ?? false,
    idleTimeoutMs: opts.idleTimeoutMs ?? THIRTY_MINUTES,
    idleKeepaliveMs: IDLE_KEEPALIVE,
    notifyMaxMailboxes: opts.notifyMaxMailboxes ?? NOTIFY_MAX_MAILBOXES,
    serverAdmin: opts.serverAdmin,
    trace: opts.trace,
  };
  return new Server(opts, shared, fts);
};
