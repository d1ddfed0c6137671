// A user's full-text index: the open index file, which message identity each row was made
// from (in memory), which messages of a folder it holds (once per folder state), and what it
// tells a SEARCH (which messages may match; for most needle keys, which do). Any trouble with
// the file (corrupt, deleted, full disk) never fails a SEARCH: it then scans, and the index is
// replaced or waits.
import { statSync } from "node:fs";
import { join } from "node:path";
import type { FtsOptions, Logger } from "../api.js";

export type { FtsOptions };
import type { SearchKey } from "../../protocol/ast.js";
import type { MessageRecord } from "../../store/contract.js";
import { FTS_DB, openFtsDb, removeFtsDb, type OpenedIndex } from "./fts-db.js";
import type { FtsDocument } from "./fts-document.js";
import { answer, type IndexAnswer } from "./fts-query.js";


/** What the store's records hold beyond MessageRecord: the file's identity. */
export interface FileRecord extends MessageRecord { ino: number; fileSize: number; mtime: number }

const hasIdentity = (r: MessageRecord): r is FileRecord => typeof (r as FileRecord).ino === "number";

interface Doc { size: number; mtime: number }

/** What the index tells one SEARCH (FtsIndex.answer). */
export interface FtsAnswer {
  /** the UIDs that may match (those the index does not hold included); null: any may */
  candidates: Set<number> | null;
  /** For a key the index answers exactly (fts-query.ts) and a message it holds: whether the
   *  message matches the key; undefined: the matcher must look. */
  known(key: SearchKey, rec: MessageRecord): boolean | undefined;
}

/** Which messages of one folder snapshot the index holds (see FtsIndex.held). */
export interface Held {
  /** rows changed since (written, dropped, index made anew): work it out again */
  gen: number;
  /** the records without a row that is them (not indexed yet, changed, no identity) */
  missing: readonly MessageRecord[];
  /** row (inode) → the UIDs of the folder whose file it is; hard links give one row several */
  uidsOf: Map<number, number[]>;
}

export class FtsIndex {
  private opened: OpenedIndex | null = null;
  private readonly docs = new Map<number, Doc>();
  private gen = 0;
  /** per folder snapshot (`messages()`, a new array on every change of the folder) */
  private readonly heldBy = new WeakMap<readonly MessageRecord[], Held>();
  /** a write failed for lack of room (disk full, or the size cap): no more until then */
  private fullUntil = 0;

  constructor(readonly root: string, readonly opts: FtsOptions, readonly log: Logger) {}

  get path(): string { return join(this.root, FTS_DB); }

  /** Whether the row for this message's file is the message (same inode, size and mtime). */
  isIndexed(r: MessageRecord): boolean {
    if (!hasIdentity(r)) return false;
    const d = this.docs.get(r.ino);
    return d !== undefined && d.size === r.fileSize && d.mtime === r.mtime;
  }

  get size(): number { return this.docs.size; }

  /** Room to write again (no full disk lately). */
  get writable(): boolean { return Date.now() >= this.fullUntil; }

  /**
   * Which messages of the folder snapshot `msgs` the index holds, and whose file each row is:
   * worked out once per snapshot and state of the index, so a SEARCH of an unchanged folder
   * (and the indexer's look for what is missing) does no per-message work.
   */
  held(msgs: readonly MessageRecord[]): Held {
    this.db(); // (its rows are known once it is open)
    const known = this.heldBy.get(msgs);
    if (known && known.gen === this.gen) return known;
    const missing: MessageRecord[] = [];
    const uidsOf = new Map<number, number[]>();
    for (const r of msgs) {
      if (!this.isIndexed(r)) {
        missing.push(r);
        continue;
      }
      const ino = (r as FileRecord).ino;
      const uids = uidsOf.get(ino);
      if (uids) uids.push(r.uid);
      else uidsOf.set(ino, [r.uid]);
    }
    const h: Held = { gen: this.gen, missing, uidsOf };
    this.heldBy.set(msgs, h);
    return h;
  }

  /**
   * What the index tells a SEARCH with `keys` of the folder snapshot `msgs` (see FtsAnswer), or
   * null when it can tell nothing. Decided here, at once: rows written while the SEARCH goes on
   * cannot make it skip a message or answer one from a row it did not hold.
   */
  answer(msgs: readonly MessageRecord[], keys: SearchKey[]): FtsAnswer | null {
    const ix = this.db();
    if (!ix) return null;
    let said: IndexAnswer;
    try {
      said = answer(keys, (q) => new Set(ix.stmts.match.all(q) as number[]));
    } catch (e) {
      this.failed(e, "full-text query failed");
      return null;
    }
    const { missing, uidsOf } = this.held(msgs);
    let candidates: Set<number> | null = null;
    if (said.rows !== null) {
      candidates = new Set<number>();
      for (const r of missing) candidates.add(r.uid);
      for (const ino of said.rows) for (const uid of uidsOf.get(ino) ?? []) candidates.add(uid);
    }
    const { exact } = said;
    return {
      candidates,
      known(key, rec) {
        const rows = exact.get(key);
        if (!rows || !hasIdentity(rec) || !uidsOf.get(rec.ino)?.includes(rec.uid)) return undefined;
        return rows.has(rec.ino);
      },
    };
  }

  /** Writes the documents of these records in one transaction; false if it could not. */
  write(batch: Array<[FileRecord, FtsDocument]>): boolean {
    const ix = this.db();
    if (!ix || batch.length === 0) return ix !== null;
    const { stmts } = ix;
    try {
      const written = new Set<number>();
      ix.db.transaction(() => {
        for (const [r, d] of batch) {
          // two hard links of one file are one row, written once (FTS5 would keep a second copy)
          if (written.has(r.ino)) continue;
          written.add(r.ino);
          if (this.docs.has(r.ino)) stmts.deleteFts.run(r.ino);
          stmts.insert(r.ino, d);
          stmts.putDoc.run(r.ino, r.fileSize, r.mtime);
        }
      })();
    } catch (e) {
      this.failed(e, "full-text index not written");
      return false;
    }
    for (const [r] of batch) this.docs.set(r.ino, { size: r.fileSize, mtime: r.mtime });
    this.gen++;
    return true;
  }

  /** Drops the rows whose file is no message any folder records (expunged, folder deleted). */
  drop(isLive: (ino: number, size: number, mtime: number) => boolean, limit: number): { dropped: number; more: boolean } {
    const ix = this.db();
    if (!ix) return { dropped: 0, more: false };
    const dead: number[] = [];
    for (const [ino, d] of this.docs) {
      if (!isLive(ino, d.size, d.mtime)) dead.push(ino);
    }
    const now = dead.slice(0, limit);
    try {
      ix.db.transaction(() => {
        for (const ino of now) {
          ix.stmts.deleteFts.run(ino);
          ix.stmts.deleteDoc.run(ino);
        }
      })();
    } catch (e) {
      this.failed(e, "full-text rows not removed");
      return { dropped: 0, more: false };
    }
    for (const ino of now) this.docs.delete(ino);
    if (now.length > 0) this.gen++;
    if (now.length > 0) this.fullUntil = 0; // room again
    return { dropped: now.length, more: dead.length > now.length };
  }

  /** Folders once searched (indexed as soon as they are opened again). */
  searchedFolders(): Set<string> {
    const ix = this.db();
    return new Set(ix ? (ix.stmts.folders.all() as string[]) : []);
  }

  noteSearched(name: string): void {
    try {
      this.db()?.stmts.addFolder.run(name);
    } catch (e) {
      this.failed(e, "full-text index not written");
    }
  }

  close(): void {
    this.opened?.db.close();
    this.opened = null;
    this.docs.clear();
    this.gen++;
  }

  /** The open index, opened (or made again, when deleted or replaced) if need be; null if none can be. */
  private db(): OpenedIndex | null {
    if (!this.opts.enabled) return null;
    if (this.opened) {
      let ino = -1;
      try {
        ino = statSync(this.path).ino;
      } catch { /* deleted */ }
      if (ino === this.opened.ino) return this.opened;
      this.log.warn({ path: this.path }, "full-text index file gone or replaced, starting a new one");
      this.close();
    }
    try {
      this.opened = openFtsDb(this.root, this.opts.maxBytes, (o, m) => this.log.warn(o, m));
      for (const [ino, size, mtime] of this.opened.stmts.docs.all() as Array<[number, number, number]>) {
        this.docs.set(ino, { size, mtime });
      }
      this.gen++;
      return this.opened;
    } catch (e) {
      this.log.warn({ path: this.path, err: String(e) }, "no full-text index: SEARCH scans");
      this.close();
      return null;
    }
  }

  /** A failed statement: no room (wait and scan), a broken file (start again), else logged. */
  private failed(e: unknown, what: string): void {
    const code = (e as { code?: string }).code ?? "";
    if (code === "SQLITE_FULL") {
      if (this.writable) this.log.warn({ path: this.path, limit: this.opts.maxBytes }, `${what}: no room (disk full or size cap), new mail is scanned`);
      this.fullUntil = Date.now() + 60_000;
    } else if (code.startsWith("SQLITE_CORRUPT") || code === "SQLITE_NOTADB") {
      this.log.warn({ path: this.path, err: String(e) }, `${what}: index corrupt, starting a new one`);
      this.close();
      removeFtsDb(this.root);
    } else {
      this.log.error({ path: this.path, err: String(e) }, what);
    }
  }
}
