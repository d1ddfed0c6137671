// The users one user process serves: an engine (store, sessions) per user, opened at the user's
// first connection and closed after `lingerMs` without connections. Engines share nothing but
// the process's caches, which are keyed by store objects. The process serves nobody else's mail:
// when it became an owner (started as root) every user's mail directory must belong to that
// owner, checked at each connection. `onIdle` runs once nobody has been served for `lingerMs`.
import { statSync } from "node:fs";
import type { Socket } from "node:net";
import type { UserServer } from "../imap/api.js";
import type { Handoff } from "../protocol/handoff.js";
import type { Log } from "../log.js";
import { tagged } from "../protocol/responses.js";

export interface HostOptions {
  lingerMs: number;
  log: Log;
  /** the uid/gid the process became, or null when it was not started as root */
  owner: { uid: number; gid: number } | null;
  /** the user's mail directory for a hand-off (throws if this process may not serve it) */
  maildirOf(h: Handoff): string;
  openEngine(user: string, maildir: string): Promise<UserServer>;
  /** the users served changed (the process title lists them) */
  onUsers(users: string[]): void;
  /** a user's engine closed after `seen` hand-offs of that user in all: the root may then give
   *  the user to another process, unless it has sent more hand-offs than that meanwhile */
  onLeft(user: string, seen: number): void;
  onIdle(): void;
}

interface Slot {
  engine: Promise<UserServer>;
  /** the engine once open */
  open: UserServer | null;
  linger: NodeJS.Timeout | null;
  /** set while the engine closes: a new connection of the user waits for it */
  closing: Promise<void> | null;
}

export class UserHost {
  private slots = new Map<string, Slot>();
  /** hand-offs read per user, since the process started */
  private seen = new Map<string, number>();
  private idleTimer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(private readonly o: HostOptions) {
    this.armIdle();
  }

  get users(): string[] {
    return [...this.slots.keys()];
  }

  /** Gives a handed-over connection to its user's engine (opening it first if need be). A
   *  connection that cannot be served gets a tagged NO for its login and is closed. */
  async attach(sock: Socket, h: Handoff): Promise<void> {
    this.disarmIdle();
    this.seen.set(h.user, (this.seen.get(h.user) ?? 0) + 1);
    try {
      // (a connection accepted while the process stops would be cut at its exit)
      if (this.stopped) throw new Error("user process is stopping");
      const maildir = this.o.maildirOf(h);
      this.checkOwner(maildir);
      for (;;) {
        const slot = await this.slotOf(h.user, maildir);
        const engine = await slot.engine;
        if (slot.closing) continue; // it lingered out meanwhile: open it anew
        if (slot.linger) clearTimeout(slot.linger);
        slot.linger = null;
        // (a client gone while the store opened leaves the engine to linger out as any other)
        if (sock.destroyed) engine.emit("empty");
        else engine.attach(sock, h);
        return;
      }
    } catch (e) {
      this.o.log.error({ user: h.user, err: (e as Error).message }, "cannot serve this user; connection refused");
      sock.end(tagged(h.tag, "NO", "Mailbox store unavailable, try again later", "UNAVAILABLE"));
      if (this.slots.size === 0) this.armIdle();
    }
  }

  /** Every user's sessions get their BYE; the stores are closed. */
  async shutdown(reason?: string): Promise<void> {
    this.stopped = true;
    this.disarmIdle();
    const all = [...this.slots.values()];
    for (const s of all) if (s.linger) clearTimeout(s.linger);
    await Promise.all(all.map(async (s) => {
      if (s.closing) return s.closing;
      const engine = await s.engine.catch(() => null);
      await engine?.shutdown(reason);
    }));
  }

  private checkOwner(maildir: string): void {
    const owner = this.o.owner;
    if (!owner) return;
    const st = statSync(maildir);
    if (st.uid !== owner.uid || st.gid !== owner.gid) {
      throw new Error(`${maildir} is owned by ${st.uid}:${st.gid}, this process serves ${owner.uid}:${owner.gid}`);
    }
  }

  /** The user's slot, opening the engine if there is none. An open engine keeps the maildir it
   *  was opened with (a password file that moves a user's mail takes effect once it closes). */
  private async slotOf(user: string, maildir: string): Promise<Slot> {
    for (;;) {
      const slot = this.slots.get(user);
      if (!slot) break;
      if (!slot.closing) return slot;
      await slot.closing;
    }
    const slot: Slot = { engine: this.o.openEngine(user, maildir), open: null, linger: null, closing: null };
    this.slots.set(user, slot);
    this.o.onUsers(this.users);
    try {
      const engine = await slot.engine;
      slot.open = engine;
      engine.on("empty", () => this.lingerUser(user, slot));
      return slot;
    } catch (e) {
      if (this.slots.get(user) === slot) this.slots.delete(user);
      this.o.onUsers(this.users);
      throw e;
    }
  }

  /** The user's last connection closed: its engine goes after lingerMs without a new one. */
  private lingerUser(user: string, slot: Slot): void {
    if (slot.linger) clearTimeout(slot.linger);
    slot.linger = setTimeout(() => {
      slot.linger = null;
      const engine = slot.open;
      if (!engine || engine.connectionCount > 0 || slot.closing || this.stopped) return;
      this.o.log.info({ user }, "user idle; closing its store");
      slot.closing = engine.shutdown(undefined).catch((e: Error) => {
        this.o.log.error({ user, err: e.stack }, "closing the store failed");
      }).finally(() => {
        if (this.slots.get(user) === slot) this.slots.delete(user);
        this.o.onUsers(this.users);
        this.o.onLeft(user, this.seen.get(user) ?? 0);
        // nobody left: the process ends (it stayed lingerMs after each user's last connection)
        if (this.slots.size === 0 && !this.stopped) this.o.onIdle();
      });
    }, this.o.lingerMs);
  }

  private armIdle(): void {
    this.disarmIdle();
    this.idleTimer = setTimeout(() => {
      if (this.slots.size === 0 && !this.stopped) this.o.onIdle();
    }, this.o.lingerMs);
  }

  private disarmIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }
}
