// The second copies of a folder's recent APPENDs (and MOVEs): nmh's `inc` may write over a number
// we just took (see addMessage), and a copy lets the message come back under a new number.
import { promises as fsp, statSync } from "node:fs";
import { addMessage, messageFile, updateSequences, type Added } from "../mh/folder.js";
import type { StoreContext } from "./context.js";
import { storedFlags } from "./flags.js";
import { identKey, type Ident, type StoredRecord } from "./record.js";
import type { Flag } from "./contract.js";

/** how long an appended message keeps its guard copy (longer than an `inc` runs) */
const GUARD_MS = 10_000;
/** how often the guards are looked at, at most (see check) */
const GUARD_RECHECK_MS = 100;
/** messages up to this size keep their copy in memory */
export const MEMORY_GUARD_MAX = 256 * 1024;

/**
 * The second copy of a recent APPEND (or MOVE): a dot-named file, or for a message up to
 * MEMORY_GUARD_MAX its bytes in memory. Either lives only as long as this process (a dead
 * process's dot files are removed as stale), so memory loses nothing and saves a file creation,
 * a write and an unlink per APPEND.
 */
export interface Guard {
  path: string | null; data?: Buffer; num: number; ident: Ident; at: number;
  /** as APPENDed, then changed by our STOREs of it: never read back from the number's sequences */
  flags: Flag[];
}

export function dropGuardFile(g: Guard): Promise<void> {
  return g.path === null ? Promise.resolve() : fsp.unlink(g.path).catch(() => undefined);
}

/**
 * The guard of a message just written by addMessage (its bytes kept when small enough; `copy`:
 * in a buffer of their own, when the caller's may be reused).
 */
export function guardOf(a: Added, data: Buffer, flags: Flag[], copy = false): Guard {
  const keep = data.length <= MEMORY_GUARD_MAX;
  return {
    path: a.guard, data: keep ? (copy ? Buffer.from(data) : data) : undefined, num: a.num,
    ident: { ino: a.ino, size: a.size, mtime: a.mtimeMs }, at: Date.now(), flags,
  };
}

export class AppendGuards {
  private readonly guards = new Set<Guard>();
  private checkedAt = 0;

  constructor(
    private readonly ctx: StoreContext,
    private readonly dir: string,
    private readonly name: () => string,
    /** runs a change of our own to the directory (see DiskSync.ownDirChange) */
    private readonly ownDirChange: <T>(fn: () => Promise<T>) => Promise<T>,
  ) {}

  get size(): number { return this.guards.size; }

  add(g: Guard): void { this.guards.add(g); }

  /** A STORE of guarded messages: a restored copy keeps the flags the client gave it. */
  storeFlags(targets: readonly StoredRecord[], op: "add" | "remove" | "replace", flags: Flag[]): void {
    if (this.guards.size === 0) return;
    const byIno = new Map([...this.guards].map((g) => [g.ident.ino, g]));
    for (const r of targets) {
      const g = byIno.get(r.ino);
      if (g && identKey(g.ident) === r.identKey()) g.flags = storedFlags(g.flags, op, flags);
    }
  }

  /** An expunged message's guard must not bring it back when its number is reused. */
  async dropExpunged(targets: readonly StoredRecord[]): Promise<void> {
    const gone = new Set(targets.map((r) => r.identKey()));
    for (const g of [...this.guards]) {
      if (!gone.has(identKey(g.ident))) continue;
      this.guards.delete(g);
      await dropGuardFile(g);
    }
  }

  dropAll(): void {
    for (const g of this.guards.values()) void dropGuardFile(g);
    this.guards.clear();
  }

  /**
   * If `inc` wrote over one of our recent appends, its copy goes back in under a new number with
   * the flags it had, and a deep scan (true returned) gives `inc`'s message and ours their UIDs.
   * A guard is dropped once its file has been intact for a while.
   */
  async check(force: boolean, recs: readonly StoredRecord[]): Promise<boolean> {
    // Every APPEND syncs first, so checking all young guards each time made a run of appends
    // quadratic in stats. A clobbered message keeps its copy until looked at, so a check at
    // most every GUARD_RECHECK_MS loses nothing (a deep sync always looks).
    const now = Date.now();
    if (!force && now - this.checkedAt < GUARD_RECHECK_MS) return false;
    this.checkedAt = now;
    let clobbered = false;
    let byIdent: Map<string, StoredRecord> | null = null;
    let foundIno = 0;
    const statIdent = (num: number) => {
      const st = statSync(messageFile(this.dir, num), { throwIfNoEntry: false });
      foundIno = st ? st.ino : 0;
      return st ? identKey({ ino: st.ino, size: st.size, mtime: st.mtimeMs }) : null;
    };
    for (const g of [...this.guards]) {
      const key = identKey(g.ident);
      let found = statIdent(g.num);
      if (found !== key) {
        // not where we left it: renumbered by pack or sortm (follow it), or written over
        byIdent ??= new Map(recs.map((r) => [r.identKey(), r]));
        const rec = byIdent.get(key);
        if (rec && rec.num !== g.num) {
          g.num = rec.num;
          found = statIdent(g.num);
        }
      }
      const intact = found === key;
      if (intact && now - g.at < GUARD_MS) continue;
      this.guards.delete(g);
      // `inc` writes over our file in place (O_TRUNC: same inode). Another inode at that number
      // means ours was removed (expunge, rmm) and the number given to a new message.
      const reused = found !== null && !intact && foundIno !== g.ident.ino;
      if (intact || found === null || reused) {
        // still ours, long enough; or removed (expunged, rmm): the copy is not needed
        if (g.path !== null) await this.ownDirChange(() => dropGuardFile(g));
        continue;
      }
      await this.restore(g);
      clobbered = true;
    }
    return clobbered;
  }

  /**
   * Written over. Even if a scan already expunged its UID the message must not be lost: a new
   * copy goes in (itself guarded, an `inc` may still be running) with the flags it had.
   */
  private async restore(g: Guard): Promise<void> {
    const data = g.data ?? (await fsp.readFile(g.path!));
    const mtime = g.data ? new Date(g.ident.mtime) : (await fsp.stat(g.path!)).mtime;
    const a = await addMessage(this.dir, data, mtime, 0, data.length > MEMORY_GUARD_MAX);
    await dropGuardFile(g);
    // Not rec.flags: once inc wrote over the file, the number's sequences are its message's
    // (inc puts it in the unseen sequence), and a sync may already have given them to our record.
    const flags = g.flags;
    this.guards.add(guardOf(a, data, flags));
    await updateSequences(this.dir, this.ctx.seqUpdate, (seqs) => this.ctx.flags.apply(seqs, a.num, "replace", flags));
    this.ctx.log.warn({ mailbox: this.name(), num: g.num, restoredAs: a.num }, "an appended message was overwritten by inc; restored");
  }
}
