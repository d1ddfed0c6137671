// A user's whole store: the MH root, its folder tree and the state database. Folder discovery
// reconciles the database with the directories, so folders made, renamed or removed by hand
// are seen (a renamed folder is recognised by its directory's inode and keeps its UIDs).
import { promises as fsp } from "node:fs";
import { join, relative, sep } from "node:path";
import { createFolder, listFolders, type DirCache, removeFolder, renameFolder } from "../mh/folders.js";
import { SEQUENCES_FILE } from "../mh/folder.js";
import { forgetMessages, type StoreContext } from "./context.js";
import { nextUidValidity } from "./db.js";
import { recoverUnwrittenRows } from "./deferred-rows.js";
import { MhMailbox, type MailboxRow } from "./mailbox.js";
import { recoverMoves } from "./move-journal.js";
import { folderPath, mailboxName } from "./folder-paths.js";
import { TreeWatch } from "./tree-watch.js";
import { copyAnnotations, DbAnnotations, forgetAnnotations, SERVER_ID } from "./metadata.js";
import {
  StoreError, type AnnotationChange, type Annotations, type Identity, type MailboxInfo, type MailboxStatus, type NameChange, type QuotaRoot, type UserStore,
} from "./contract.js";

interface Row extends MailboxRow {
  special_use: string | null;
  noselect: number;
  dir_ino: number | null;
}

/** Created when missing, with their RFC 6154 attribute, as the old server did. */
export const SPECIAL_FOLDERS: ReadonlyArray<[string, string]> = [
  ["Drafts", "\\Drafts"],
  ["Sent Messages", "\\Sent"],
  ["Deleted Messages", "\\Trash"],
  ["Junk", "\\Junk"],
  ["Archive", "\\Archive"],
];

export class MhUserStore implements UserStore {
  private boxes = new Map<string, MhMailbox>(); // by folder path
  private closed = false;

  private readonly dirCache: DirCache;
  private readonly nameListeners = new Set<(ev: NameChange) => void>();
  private readonly annotationListeners = new Set<(ev: AnnotationChange) => void>();
  private readonly annotationChanged = (ev: AnnotationChange): void => {
    for (const l of this.annotationListeners) l(ev);
  };
  private readonly tree: TreeWatch;
  private discovering: Promise<void> = Promise.resolve();

  constructor(private readonly ctx: StoreContext) {
    ctx.quota.look = (every) => (every ? this.syncEvery() : this.syncOpen());
    const get = ctx.db.prepare("SELECT sig, subdirs FROM dir_cache WHERE path = ?");
    const set = ctx.db.prepare("INSERT OR REPLACE INTO dir_cache (path, sig, subdirs) VALUES (?, ?, ?)");
    this.dirCache = {
      get(rel) {
        const row = get.get(rel) as { sig: string; subdirs: string } | undefined;
        return row && { sig: row.sig, subdirs: JSON.parse(row.subdirs) as string[] };
      },
      set(rel, sig, subdirs) {
        set.run(rel, sig, JSON.stringify(subdirs));
      },
    };
    this.tree = new TreeWatch(ctx.root, async () => {
      await this.discover();
      return this.rows().map((r) => r.path);
    }, ctx.log);
  }

  watchNames(listener: (ev: NameChange) => void): () => void {
    this.nameListeners.add(listener);
    if (this.nameListeners.size === 1) this.tree.start(this.rows().map((r) => r.path));
    return () => {
      if (this.nameListeners.delete(listener) && this.nameListeners.size === 0) this.tree.stop();
    };
  }

  private told(ev: NameChange): void {
    for (const l of this.nameListeners) l(ev);
  }

  get root(): string { return this.ctx.root; }
  get quota(): QuotaRoot { return this.ctx.quota; }

  /** First steps on open: INBOX and the special-use folders exist, rows match the folders. */
  async init(): Promise<void> {
    await createFolder(this.root, "inbox");
    for (const [name, use] of SPECIAL_FOLDERS) {
      await createFolder(this.root, name);
      const row = await this.ensureRow(name);
      if (row.special_use === null) {
        this.ctx.db.prepare("UPDATE mailboxes SET special_use = ? WHERE id = ?").run(use, row.id);
      }
    }
    await this.discover();
    await recoverMoves(this.ctx);
  }

  async list(): Promise<MailboxInfo[]> {
    await this.discover();
    const rows = this.rows();
    const subs = new Set(this.ctx.db.prepare("SELECT name FROM subscriptions").pluck().all() as string[]);
    const paths = rows.map((r) => r.path);
    return rows
      .map((r) => {
        const name = mailboxName(r.path);
        return {
          name,
          subscribed: subs.has(name),
          specialUse: r.special_use,
          noselect: r.noselect !== 0,
          hasChildren: paths.some((p) => p.startsWith(r.path + "/")),
        };
      })
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async mailbox(name: string): Promise<MhMailbox> {
    this.check();
    const path = folderPath(name);
    let box = this.boxes.get(path);
    const fresh = !box;
    if (!box) {
      let row = this.row(path);
      if (!row || row.noselect) {
        await this.discover();
        row = this.row(path);
      }
      if (!row || row.noselect) throw new StoreError("NONEXISTENT", `no mailbox named ${name}`);
      box = this.boxes.get(path);
      if (!box) {
        // rows of a first look cut short by a crash: a new UIDVALIDITY (see deferred-rows.ts)
        if (recoverUnwrittenRows(this.ctx, row.id)) row = this.row(path)!;
        box = new MhMailbox(this.ctx, row.id, mailboxName(path), path, row);
        this.boxes.set(path, box);
      }
    }
    try {
      await box.sync();
    } catch (e) {
      if (e instanceof StoreError && e.code === "NONEXISTENT") this.boxes.delete(path);
      throw e;
    }
    if (fresh) this.ctx.onChange?.({ kind: "opened", mailbox: box });
    return box;
  }

  async create(name: string, specialUse?: string): Promise<void> {
    this.check();
    const path = folderPath(name);
    if (path === "inbox") throw new StoreError("ALREADYEXISTS", "INBOX always exists");
    await this.discover();
    const existing = this.row(path);
    if (existing && !existing.noselect) throw new StoreError("ALREADYEXISTS", `mailbox ${name} already exists`);
    await this.assertInside(path);
    await createFolder(this.root, path);
    if (existing) {
      // a \Noselect parent brought back: it starts afresh
      this.ctx.db.prepare("UPDATE mailboxes SET noselect = 0, uidvalidity = ?, dir_sig = NULL WHERE id = ?")
        .run(nextUidValidity(this.ctx.db), existing.id);
      this.told({ kind: "created", name: mailboxName(path) });
    }
    // a new folder's row is made (and reported) by discovery
    await this.discover();
    if (specialUse) this.ctx.db.prepare("UPDATE mailboxes SET special_use = ? WHERE path = ?").run(specialUse, path);
  }

  async delete(name: string): Promise<void> {
    this.check();
    const path = folderPath(name);
    if (path === "inbox") throw new StoreError("CANNOT", "INBOX cannot be deleted");
    await this.discover();
    const row = this.row(path);
    if (!row) throw new StoreError("NONEXISTENT", `no mailbox named ${name}`);
    const hasChildren = this.rows().some((r) => r.path.startsWith(path + "/"));
    if (row.noselect && hasChildren) {
      throw new StoreError("CANNOT", `mailbox ${name} has children and is already deleted`);
    }
    this.boxes.get(path)?.markGone();
    this.boxes.delete(path);
    await removeFolder(this.root, path, false);
    const db = this.ctx.db;
    db.transaction(() => {
      forgetMessages(this.ctx, row.id);
      forgetAnnotations(db, row.id);
      if (hasChildren) {
        // RFC 3501 §6.3.4: the name stays as a \Noselect parent of its children
        db.prepare("UPDATE mailboxes SET noselect = 1, dir_sig = NULL, seq_sig = NULL WHERE id = ?").run(row.id);
      } else {
        db.prepare("DELETE FROM mailboxes WHERE id = ?").run(row.id);
      }
    })();
    this.told({ kind: "deleted", name: mailboxName(path) });
  }

  async rename(from: string, to: string): Promise<void> {
    this.check();
    const src = folderPath(from);
    const dst = folderPath(to);
    await this.discover();
    const row = this.row(src);
    if (!row) throw new StoreError("NONEXISTENT", `no mailbox named ${from}`);
    if (this.row(dst) || dst === "inbox") throw new StoreError("ALREADYEXISTS", `mailbox ${to} already exists`);
    if (dst.startsWith(src + "/")) throw new StoreError("CANNOT", `cannot rename ${from} into itself`);
    await this.assertInside(dst);
    if (src === "inbox") {
      await this.renameInbox(dst);
      return;
    }
    const moved = this.rows().filter((r) => r.path === src || r.path.startsWith(src + "/"));
    for (const r of moved) {
      this.boxes.get(r.path)?.markGone();
      this.boxes.delete(r.path);
    }
    await renameFolder(this.root, src, dst);
    const db = this.ctx.db;
    const srcName = mailboxName(src);
    const dstName = mailboxName(dst);
    db.transaction(() => {
      for (const r of moved) {
        db.prepare("UPDATE mailboxes SET path = ? WHERE id = ?").run(dst + r.path.slice(src.length), r.id);
      }
      const subs = db.prepare("SELECT name FROM subscriptions").pluck().all() as string[];
      for (const s of subs) {
        if (s === srcName || s.startsWith(srcName + "/")) {
          db.prepare("DELETE FROM subscriptions WHERE name = ?").run(s);
          db.prepare("INSERT OR IGNORE INTO subscriptions (name) VALUES (?)").run(dstName + s.slice(srcName.length));
        }
      }
    })();
    this.told({ kind: "renamed", from: srcName, to: dstName });
    await this.discover(); // parents of the destination made by renameFolder
  }

  /** RFC 3501 §6.3.5: INBOX's messages move to the new mailbox; INBOX stays, empty. */
  private async renameInbox(dst: string): Promise<void> {
    await createFolder(this.root, dst);
    await this.discover();
    const inbox = await this.mailbox("INBOX");
    const dest = await this.mailbox(mailboxName(dst));
    copyAnnotations(this.ctx.db, inbox.id, dest.id);
    const uids = inbox.messages().map((r) => r.uid);
    if (uids.length === 0) return;
    // crash-safe: a kill in the middle leaves each message in exactly one of the two
    await inbox.moveTo(uids, dest);
  }

  async subscribe(name: string, on: boolean): Promise<void> {
    this.check();
    const canonical = mailboxName(folderPath(name));
    const changed = on
      ? this.ctx.db.prepare("INSERT OR IGNORE INTO subscriptions (name) VALUES (?)").run(canonical).changes
      : this.ctx.db.prepare("DELETE FROM subscriptions WHERE name = ?").run(canonical).changes;
    if (changed > 0) this.told({ kind: on ? "subscribed" : "unsubscribed", name: canonical });
  }

  async annotations(mailbox: string | null): Promise<Annotations> {
    this.check();
    if (mailbox === null) return new DbAnnotations(this.ctx.db, SERVER_ID, null, this.annotationChanged);
    await this.discover();
    const row = this.row(folderPath(mailbox));
    if (!row) throw new StoreError("NONEXISTENT", `Mailbox doesn't exist: ${mailbox}`);
    return new DbAnnotations(this.ctx.db, row.id, mailboxName(row.path), this.annotationChanged);
  }

  watchAnnotations(listener: (ev: AnnotationChange) => void): () => void {
    this.annotationListeners.add(listener);
    return () => void this.annotationListeners.delete(listener);
  }

  async subscriptions(): Promise<string[]> {
    this.check();
    return (this.ctx.db.prepare("SELECT name FROM subscriptions").pluck().all() as string[]).sort();
  }

  async status(name: string): Promise<MailboxStatus> {
    return (await this.mailbox(name)).status();
  }

  /** Every folder looked at (a folder never seen gets its first look: names and stats, no message read). */
  private async syncEvery(): Promise<void> {
    await this.discover();
    for (const r of this.rows()) {
      if (r.noselect) continue;
      try {
        await this.mailbox(mailboxName(r.path));
      } catch (e) {
        if (!(e instanceof StoreError && e.code === "NONEXISTENT")) throw e;
      }
    }
  }

  /** INBOX (where inc delivers) and every folder open here looked at: cheap when unchanged. */
  private async syncOpen(): Promise<void> {
    await this.mailbox("INBOX");
    for (const [path, box] of [...this.boxes]) {
      try {
        await box.sync();
      } catch (e) {
        if (!(e instanceof StoreError && e.code === "NONEXISTENT")) throw e;
        this.boxes.delete(path);
      }
    }
  }

  identities(): Identity[] {
    this.check();
    return this.ctx.db.prepare("SELECT ino, size, mtime FROM messages").raw(true).all() as Identity[];
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.tree.stop();
    this.nameListeners.clear();
    for (const b of this.boxes.values()) b.close();
    this.boxes.clear();
    this.ctx.db.close();
  }

  // ---------------------------------------------------------------------------------------

  private check(): void {
    if (this.closed) throw new StoreError("SERVERBUG", "the store is closed");
  }

  private rows(): Row[] {
    return this.ctx.db.prepare("SELECT * FROM mailboxes ORDER BY path").all() as Row[];
  }

  private row(path: string): Row | undefined {
    return this.ctx.stmts.mailboxByPath.get(path) as Row | undefined;
  }

  private async ensureRow(path: string): Promise<Row> {
    const row = this.row(path);
    if (row) return row;
    const ino = await dirIno(join(this.root, path));
    this.ctx.db.prepare(
      "INSERT INTO mailboxes (path, uidvalidity, uidnext, highestmodseq, dir_ino) VALUES (?, ?, 1, 1, ?)",
    ).run(path, nextUidValidity(this.ctx.db), ino);
    return this.row(path)!;
  }

  /** No name may reach outside the root, also not through a symlinked parent. */
  private async assertInside(path: string): Promise<void> {
    const realRoot = await fsp.realpath(this.root);
    let probe = join(this.root, path);
    for (;;) {
      try {
        const real = await fsp.realpath(probe);
        const rel = relative(realRoot, real);
        if (rel.startsWith("..") || rel.startsWith(sep)) {
          throw new StoreError("CANNOT", `mailbox ${mailboxName(path)} would be outside the mail directory`);
        }
        return;
      } catch (e) {
        if (e instanceof StoreError) throw e;
        if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
        const parent = join(probe, "..");
        if (parent === probe) return;
        probe = parent;
      }
    }
  }

  /**
   * Bring the mailbox rows in line with the folders on disk. One look at a time (the tree
   * watch's and the commands' would otherwise both find a new folder and both report it); a
   * call made during a look gets a look of its own after it.
   */
  private discover(): Promise<void> {
    const next = this.discovering.then(() => this.discoverOnce());
    this.discovering = next.catch(() => undefined);
    return next;
  }

  private async discoverOnce(): Promise<void> {
    const onDisk = new Set(await listFolders(this.root, this.dirCache));
    const rows = this.rows();
    const known = new Set(rows.map((r) => r.path));
    const fresh = [...onDisk].filter((p) => !known.has(p));
    const freshIno = new Map<number, string>();
    for (const p of fresh) {
      const ino = await dirIno(join(this.root, p));
      if (ino !== null) freshIno.set(ino, p);
    }
    const db = this.ctx.db;
    const told: NameChange[] = [];
    for (const r of rows) {
      if (onDisk.has(r.path)) continue;
      const newPath = r.dir_ino !== null ? freshIno.get(r.dir_ino) : undefined;
      this.boxes.get(r.path)?.markGone();
      this.boxes.delete(r.path);
      if (newPath !== undefined && !r.noselect) {
        // renamed by hand: same directory, same messages, same UIDs
        db.prepare("UPDATE mailboxes SET path = ? WHERE id = ?").run(newPath, r.id);
        freshIno.delete(r.dir_ino!);
        fresh.splice(fresh.indexOf(newPath), 1);
        this.ctx.log.info({ from: r.path, to: newPath }, "folder renamed outside the server");
        // children renamed with it are one rename (RFC 5465 §5.4)
        if (!rows.some((p) => r.path.startsWith(p.path + "/") && !onDisk.has(p.path))) {
          told.push({ kind: "renamed", from: mailboxName(r.path), to: mailboxName(newPath) });
        }
        continue;
      }
      const childRemains = [...onDisk].some((p) => p.startsWith(r.path + "/"));
      if (r.noselect && childRemains) continue;
      if (!r.noselect) told.push({ kind: "deleted", name: mailboxName(r.path) });
      db.transaction(() => {
        forgetMessages(this.ctx, r.id);
        db.prepare("DELETE FROM mailboxes WHERE id = ?").run(r.id);
      })();
      this.ctx.log.info({ folder: r.path }, "folder removed outside the server");
    }
    for (const p of fresh) {
      await this.ensureRow(p);
      told.push({ kind: "created", name: mailboxName(p) });
    }
    for (const r of rows) {
      if (r.dir_ino === null && onDisk.has(r.path)) {
        db.prepare("UPDATE mailboxes SET dir_ino = ? WHERE id = ?").run(await dirIno(join(this.root, r.path)), r.id);
      }
    }
    // a deleted \Noselect name whose folder is back with messages in it is a mailbox again
    for (const r of rows) {
      if (r.noselect && onDisk.has(r.path) && (await hasMhContent(join(this.root, r.path)))) {
        db.prepare("UPDATE mailboxes SET noselect = 0, uidvalidity = ?, dir_sig = NULL WHERE id = ?")
          .run(nextUidValidity(db), r.id);
        told.push({ kind: "created", name: mailboxName(r.path) });
      }
    }
    for (const ev of told) this.told(ev);
  }
}

async function dirIno(path: string): Promise<number | null> {
  try {
    return (await fsp.stat(path)).ino;
  } catch {
    return null;
  }
}

async function hasMhContent(dir: string): Promise<boolean> {
  try {
    return (await fsp.readdir(dir)).some((n) => /^[1-9][0-9]*$/.test(n) || n === SEQUENCES_FILE);
  } catch {
    return false;
  }
}
