// The per-user state database: what IMAP needs that MH cannot hold (UIDs, UIDVALIDITY, MODSEQs,
// subscriptions, expunged UIDs) plus a cache of what the files say. WAL mode, one transaction
// per change, schema versions in `user_version`.
import Database from "better-sqlite3";
import { chmodSync, statSync } from "node:fs";
import { join } from "node:path";

export const STATE_DB = ".asimap-state.sqlite";

type Db = Database.Database;

/** Each entry brings the schema from version i to i+1. Never edit one that has shipped. */
export const MIGRATIONS: Array<(db: Db) => void> = [
  (db) => {
    db.exec(`
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE mailboxes (
        id INTEGER PRIMARY KEY,
        path TEXT NOT NULL UNIQUE,          -- MH folder relative to the root ('inbox', 'a/b')
        uidvalidity INTEGER NOT NULL,
        uidnext INTEGER NOT NULL,
        highestmodseq INTEGER NOT NULL,
        special_use TEXT,
        noselect INTEGER NOT NULL DEFAULT 0, -- deleted, kept as the parent of others
        dir_ino INTEGER,                     -- recognises a folder renamed by hand
        dir_sig TEXT,                        -- folder stat when last scanned
        seq_sig TEXT,                        -- .mh_sequences stat when last read
        racy INTEGER NOT NULL DEFAULT 1      -- last scan was too close to a change to trust the sigs
      );
      CREATE TABLE messages (
        mailbox_id INTEGER NOT NULL,
        uid INTEGER NOT NULL,
        num INTEGER NOT NULL,
        ino INTEGER NOT NULL,
        size INTEGER NOT NULL,
        mtime REAL NOT NULL,                 -- ms, sub-ms precision
        modseq INTEGER NOT NULL,
        crlf_size INTEGER NOT NULL,
        flags TEXT NOT NULL,                 -- space separated IMAP flags, sorted
        idx TEXT,                            -- the message model's MimeIndex as JSON
        PRIMARY KEY (mailbox_id, uid)
      ) WITHOUT ROWID;
      CREATE TABLE expunged (
        mailbox_id INTEGER NOT NULL,
        uid INTEGER NOT NULL,
        modseq INTEGER NOT NULL,
        PRIMARY KEY (mailbox_id, uid)
      ) WITHOUT ROWID;
      CREATE TABLE subscriptions (name TEXT PRIMARY KEY);
    `);
  },
  (db) => {
    // which subdirectories each directory had at a given stat signature (see listFolders)
    db.exec(`CREATE TABLE dir_cache (path TEXT PRIMARY KEY, sig TEXT NOT NULL, subdirs TEXT NOT NULL);`);
  },
  (db) => {
    // `gen` moves with every change to a mailbox's records; a snapshot of the records (one
    // packed BLOB, see snapshot.ts) is valid only for the gen it was written at
    db.exec(`
      ALTER TABLE mailboxes ADD COLUMN gen INTEGER NOT NULL DEFAULT 0;
      CREATE TABLE snapshots (mailbox_id INTEGER PRIMARY KEY, gen INTEGER NOT NULL, data BLOB NOT NULL,
        flags TEXT NOT NULL);
    `);
  },
  (db) => {
    // MOVE's intent journal (see move-journal.ts): a row lives from before the first file is
    // renamed into the destination until both folders' records and sequences are updated
    db.exec(`
      CREATE TABLE pending_moves (
        id INTEGER PRIMARY KEY,
        src_dir TEXT NOT NULL,               -- folder paths relative to the root
        src_num INTEGER NOT NULL,
        src_ino INTEGER NOT NULL,
        dest_dir TEXT NOT NULL,
        hold_ino INTEGER NOT NULL,           -- the empty file that claims the destination number
        flags TEXT NOT NULL                  -- space separated IMAP flags the message carries
      );
    `);
  },
  () => {
    // No new table or column: from here on messages.crlf_size may be -1, a size not counted yet
    // (see sizes.ts). An older server would show it as RFC822.SIZE -1; the version bump makes it
    // refuse the database with a clear error instead.
  },
  (db) => {
    // The MIME index moves out of the message row: a flag change rewrote the whole row, the
    // index's JSON (and its overflow pages) included, which made STORE 1:10k three times slower
    // once the messages had been fetched. A row leaves with its message (the trigger), on
    // every path that deletes messages.
    db.exec(`
      CREATE TABLE message_index (
        mailbox_id INTEGER NOT NULL,
        uid INTEGER NOT NULL,
        idx TEXT NOT NULL,                   -- the message model's MimeIndex as JSON
        PRIMARY KEY (mailbox_id, uid)
      ) WITHOUT ROWID;
      INSERT INTO message_index (mailbox_id, uid, idx) SELECT mailbox_id, uid, idx FROM messages WHERE idx IS NOT NULL;
      ALTER TABLE messages DROP COLUMN idx;
      CREATE TRIGGER message_index_gone AFTER DELETE ON messages BEGIN
        DELETE FROM message_index WHERE mailbox_id = OLD.mailbox_id AND uid = OLD.uid;
      END;
    `);
  },
  (db) => {
    // RFC 8514's save date: when the row was written, i.e. when the message came into this
    // folder (APPEND, COPY, MOVE, or a sync that found nmh's new file); renumbering and flag
    // changes update the row and keep it. Rows from before this version take the file's mtime.
    db.exec(`
      ALTER TABLE messages ADD COLUMN saved REAL;   -- seconds since the epoch, sub-second
      UPDATE messages SET saved = mtime / 1000.0;
    `);
  },
  (db) => {
    // The quota's usage (quota.ts): each folder's messages and bytes on disk, kept by triggers
    // on every path that adds or removes a message row (a row's size never changes: a file
    // whose size changed is another message), counted once here from the rows.
    db.exec(`
      CREATE TABLE mailbox_usage (
        mailbox_id INTEGER PRIMARY KEY,
        messages INTEGER NOT NULL,
        bytes INTEGER NOT NULL                -- sum of messages.size: the files' sizes
      );
      INSERT INTO mailbox_usage (mailbox_id, messages, bytes)
        SELECT mailbox_id, count(*), sum(size) FROM messages GROUP BY mailbox_id;
      CREATE TRIGGER usage_added AFTER INSERT ON messages BEGIN
        INSERT INTO mailbox_usage (mailbox_id, messages, bytes) VALUES (NEW.mailbox_id, 1, NEW.size)
          ON CONFLICT (mailbox_id) DO UPDATE SET messages = messages + 1, bytes = bytes + excluded.bytes;
      END;
      CREATE TRIGGER usage_removed AFTER DELETE ON messages BEGIN
        UPDATE mailbox_usage SET messages = messages - 1, bytes = bytes - OLD.size WHERE mailbox_id = OLD.mailbox_id;
      END;
      CREATE TRIGGER usage_gone AFTER DELETE ON mailboxes BEGIN
        DELETE FROM mailbox_usage WHERE mailbox_id = OLD.id;
      END;
    `);
  },
  (db) => {
    // RFC 5464 annotations (metadata.ts): a mailbox's under its row id, which RENAME keeps, so
    // they follow it (children too); the server's under 0, which no mailbox row has. They go
    // with the row (DELETE, or a folder removed by hand and found gone).
    db.exec(`
      CREATE TABLE metadata (
        mailbox_id INTEGER NOT NULL,          -- mailboxes.id, 0 for the server
        entry TEXT NOT NULL,                  -- lower-cased entry name, '/private/comment'
        value BLOB NOT NULL,
        PRIMARY KEY (mailbox_id, entry)
      ) WITHOUT ROWID;
      CREATE TRIGGER metadata_gone AFTER DELETE ON mailboxes BEGIN
        DELETE FROM metadata WHERE mailbox_id = OLD.id;
      END;
    `);
  },
];

export function openStateDb(root: string): Db {
  const path = join(root, STATE_DB);
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  restrictModes(path);
  db.pragma("synchronous = NORMAL");
  db.pragma("busy_timeout = 5000");
  migrate(db);
  return db;
}

/**
 * Databases made before the server set its umask may be 0644: the mail owner's UIDs, folder
 * names and subscriptions readable by others. Such files are made 0600 on open; the -wal and
 * -shm files too (they hold the same data), once WAL mode has created them.
 */
function restrictModes(path: string): void {
  for (const p of [path, `${path}-wal`, `${path}-shm`]) {
    const st = statSync(p, { throwIfNoEntry: false });
    if (st && (st.mode & 0o077) !== 0) chmodSync(p, 0o600);
  }
}

export function migrate(db: Db): void {
  const version = db.pragma("user_version", { simple: true }) as number;
  if (version > MIGRATIONS.length) {
    throw new Error(`state database schema ${version} is newer than this server (${MIGRATIONS.length})`);
  }
  for (let v = version; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      MIGRATIONS[v](db);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}

/** A UIDVALIDITY never handed out before for this user: ≥ now in seconds, above all earlier ones. */
export function nextUidValidity(db: Db): number {
  const row = db.prepare("SELECT value FROM meta WHERE key = 'last_uidvalidity'").get() as
    | { value: string } | undefined;
  const maxRow = db.prepare("SELECT MAX(uidvalidity) AS m FROM mailboxes").get() as { m: number | null };
  const last = Math.max(Number(row?.value ?? 0), maxRow.m ?? 0);
  const v = Math.min(Math.max(last + 1, Math.floor(Date.now() / 1000)), 0xffffffff);
  db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('last_uidvalidity', ?)").run(String(v));
  return v;
}
