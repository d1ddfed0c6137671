// The full-text index's own SQLite file in the mail root (a dot file nmh ignores, mode 0600):
// FTS5 with the trigram tokenizer over the columns of fts-document.ts, with positions (a phrase
// query of a needle is then a substring test, fts-query.ts), one row per message file, its
// rowid the file's inode, and `docs` saying which identity (size, mtime) the row was
// made from. A file that is not such a database (corrupt, another version) is replaced by an
// empty one: the index is a cache, SEARCH scans what it does not hold.
import Database from "better-sqlite3";
import { closeSync, openSync, rmSync, statSync, chmodSync } from "node:fs";
import { join } from "node:path";
import { INDEX_VERSION } from "../../message/index.js";
import { COLUMNS, type FtsDocument } from "./fts-document.js";

export const FTS_DB = ".asimap-fts.sqlite";

/** Changes whenever a document's text would come out differently, or the table's layout: an
 *  old index is rebuilt. (2: positions kept, detail=full, for phrase queries; NUL as U+FFFD) */
const VERSION = `2.${INDEX_VERSION}`;

const quoted = COLUMNS.map((c) => `"${c}"`).join(", ");

export type FtsStatements = ReturnType<typeof prepare>;

export interface OpenedIndex {
  db: Database.Database;
  stmts: FtsStatements;
  /** the file's inode when opened: another one at the path means it was deleted or replaced */
  ino: number;
}

/** Opens (creating, or replacing a broken one) the index of the mail root `root`. */
export function openFtsDb(root: string, maxBytes: number | undefined, warn: (o: object, m: string) => void): OpenedIndex {
  const path = join(root, FTS_DB);
  try {
    return openAt(path, maxBytes);
  } catch (e) {
    warn({ path, err: String(e) }, "full-text index unreadable, starting a new one");
    removeFtsDb(root);
    return openAt(path, maxBytes);
  }
}

export function removeFtsDb(root: string): void {
  const path = join(root, FTS_DB);
  for (const p of [path, `${path}-wal`, `${path}-shm`, `${path}-journal`]) rmSync(p, { force: true });
}

function openAt(path: string, maxBytes: number | undefined): OpenedIndex {
  // created 0600 before SQLite sees it (its -wal and -shm take the main file's mode)
  closeSync(openSync(path, "a", 0o600));
  chmodSync(path, 0o600);
  const db = new Database(path);
  try {
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    const version = hasMeta(db) ? (db.prepare("SELECT value FROM meta WHERE key = 'version'").pluck().get() as string | undefined) : undefined;
    if (version !== VERSION) {
      db.exec("DROP TABLE IF EXISTS fts; DROP TABLE IF EXISTS docs; DROP TABLE IF EXISTS folders; DROP TABLE IF EXISTS meta;");
      db.exec(`
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE docs (ino INTEGER PRIMARY KEY, size INTEGER NOT NULL, mtime REAL NOT NULL);
        -- folders once searched: indexed again as soon as they are opened
        CREATE TABLE folders (name TEXT PRIMARY KEY);
        CREATE VIRTUAL TABLE fts USING fts5(${quoted}, tokenize = 'trigram case_sensitive 1',
          detail = full, content = '', contentless_delete = 1);
      `);
      db.prepare("INSERT INTO meta (key, value) VALUES ('version', ?)").run(VERSION);
    }
    if (maxBytes !== undefined) {
      const page = db.pragma("page_size", { simple: true }) as number;
      db.pragma(`max_page_count = ${Math.max(16, Math.floor(maxBytes / page))}`);
    }
    return { db, stmts: prepare(db), ino: statSync(path).ino };
  } catch (e) {
    db.close();
    throw e;
  }
}

function hasMeta(db: Database.Database): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'meta'").get() !== undefined;
}

function prepare(db: Database.Database) {
  const insertFts = db.prepare(`INSERT INTO fts (rowid, ${quoted}) VALUES (?, ${COLUMNS.map(() => "?").join(", ")})`);
  return {
    docs: db.prepare("SELECT ino, size, mtime FROM docs").raw(true),
    deleteFts: db.prepare("DELETE FROM fts WHERE rowid = ?"),
    deleteDoc: db.prepare("DELETE FROM docs WHERE ino = ?"),
    putDoc: db.prepare("INSERT OR REPLACE INTO docs (ino, size, mtime) VALUES (?, ?, ?)"),
    insert: (ino: number, d: FtsDocument) => insertFts.run(ino, ...COLUMNS.map((c) => d[c])),
    match: db.prepare("SELECT rowid FROM fts WHERE fts MATCH ?").pluck(),
    folders: db.prepare("SELECT name FROM folders").pluck(),
    addFolder: db.prepare("INSERT OR IGNORE INTO folders (name) VALUES (?)"),
  };
}
