// What every mailbox of one user shares: the state database and its prepared statements, the
// flag mapping from the MH profile, the lock policy and the logger.
import type Database from "better-sqlite3";
import type { UpdateOptions } from "../mh/folder.js";
import type { FlagMap } from "./flags.js";
import type { StoreChange, StoreOptions } from "./contract.js";
import type { UserQuota } from "./quota.js";

export type Logger = NonNullable<StoreOptions["logger"]>;

export const silentLogger: Logger = {
  warn() {}, info() {}, debug() {}, error() {},
};

export interface StoreContext {
  root: string;
  db: Database.Database;
  flags: FlagMap;
  log: Logger;
  pollMs: number;
  /** how `.mh_sequences` is updated: with nmh's lock or with none */
  seqUpdate: UpdateOptions;
  stmts: Statements;
  /** the user's quota root: what APPEND and COPY must fit in */
  quota: UserQuota;
  onChange?: (change: StoreChange) => void;
}

/** rows per multi-row INSERT (9 parameters each, well under SQLite's limit) */
export const INSERT_BATCH = 100;
/** UIDs per multi-row flag UPDATE, largest first */
export const UPDATE_BATCHES = [500, 20];

/** A row's save date (RFC 8514) is the time it is written, in seconds. */
const SAVED_NOW = "unixepoch('subsec')";

export function prepareStatements(db: Database.Database) {
  return {
    mailboxByPath: db.prepare("SELECT * FROM mailboxes WHERE path = ?"),
    messagesOf: db.prepare(
      "SELECT uid, num, ino, size, mtime, modseq, crlf_size, flags FROM messages WHERE mailbox_id = ? ORDER BY uid",
    ).raw(true),
    insertMessage: db.prepare(
      `INSERT INTO messages (mailbox_id, uid, num, ino, size, mtime, modseq, crlf_size, flags, saved)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ${SAVED_NOW})`,
    ),
    /** INSERT_BATCH rows in one statement: 100,000 single-row runs were most of a first open's insert */
    insertMessages: db.prepare(
      `INSERT INTO messages (mailbox_id, uid, num, ino, size, mtime, modseq, crlf_size, flags, saved) VALUES `
        + Array(INSERT_BATCH).fill(`(?, ?, ?, ?, ?, ?, ?, ?, ?, ${SAVED_NOW})`).join(", "),
    ),
    savedOf: db.prepare("SELECT saved FROM messages WHERE mailbox_id = ? AND uid = ?").pluck(),
    setCrlfSize: db.prepare("UPDATE messages SET crlf_size = ? WHERE mailbox_id = ? AND uid = ?"),
    deleteMessage: db.prepare("DELETE FROM messages WHERE mailbox_id = ? AND uid = ?"),
    insertExpunged: db.prepare("INSERT OR REPLACE INTO expunged (mailbox_id, uid, modseq) VALUES (?, ?, ?)"),
    updateNum: db.prepare("UPDATE messages SET num = ? WHERE mailbox_id = ? AND uid = ?"),
    updateFlags: db.prepare("UPDATE messages SET flags = ?, modseq = ? WHERE mailbox_id = ? AND uid = ?"),
    /** a run of messages next to each other in UID order that got the same flags */
    updateFlagsRange: db.prepare("UPDATE messages SET flags = ?, modseq = ? WHERE mailbox_id = ? AND uid BETWEEN ? AND ?"),
    /** one statement per UPDATE_BATCHES[i] messages that got the same flags (STORE 1:10000) */
    updateFlagsMany: UPDATE_BATCHES.map((n) => db.prepare(
      `UPDATE messages SET flags = ?, modseq = ? WHERE mailbox_id = ? AND uid IN (${Array(n).fill("?").join(", ")})`,
    )),
    updateMailboxState: db.prepare(
      `UPDATE mailboxes SET uidnext = ?, highestmodseq = ?, dir_sig = ?, seq_sig = ?, racy = ?, gen = ?
       WHERE id = ?`,
    ),
    statusOf: db.prepare(
      `SELECT count(*) AS n, coalesce(sum(crlf_size), 0) AS size,
         sum(instr(' ' || flags || ' ', ' \\Seen ') = 0) AS unseen,
         sum(instr(' ' || flags || ' ', ' \\Deleted ') > 0) AS deleted,
         coalesce(sum(size * (instr(' ' || flags || ' ', ' \\Deleted ') > 0)), 0) AS deletedBytes,
         sum(crlf_size < 0) AS unsized
       FROM messages WHERE mailbox_id = ?`,
    ),
    getSnapshot: db.prepare("SELECT gen, data, flags FROM snapshots WHERE mailbox_id = ?"),
    putSnapshot: db.prepare("INSERT OR REPLACE INTO snapshots (mailbox_id, gen, data, flags) VALUES (?, ?, ?, ?)"),
    // in `meta`, not a new column: an older server can still open the database
    getSnapshotSeqs: db.prepare("SELECT value FROM meta WHERE key = 'snapshot-seqs:' || ?").pluck(),
    putSnapshotSeqs: db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('snapshot-seqs:' || ?, ?)"),
    deleteSnapshotSeqs: db.prepare("DELETE FROM meta WHERE key = 'snapshot-seqs:' || ?"),
    setDirSig: db.prepare("UPDATE mailboxes SET dir_sig = ?, racy = 1 WHERE id = ?"),
    expungedSince: db.prepare("SELECT uid FROM expunged WHERE mailbox_id = ? AND modseq > ? ORDER BY uid").pluck(),
    getIndex: db.prepare("SELECT idx FROM message_index WHERE mailbox_id = ? AND uid = ?").pluck(),
    // only for a message still in the table: an index written back after its expunge is dropped
    setIndex: db.prepare(
      `INSERT OR REPLACE INTO message_index (mailbox_id, uid, idx)
       SELECT mailbox_id, uid, ? FROM messages WHERE mailbox_id = ? AND uid = ?`,
    ),
  };
}

export type Statements = ReturnType<typeof prepareStatements>;

/**
 * Drop every record the state database keeps of a mailbox's messages (rows, their indexes by the
 * trigger, expunged UIDs, the records snapshot); the mailbox row itself stays. Call it inside
 * a transaction of the caller's.
 */
export function forgetMessages(ctx: StoreContext, mailboxId: number): void {
  const db = ctx.db;
  db.prepare("DELETE FROM messages WHERE mailbox_id = ?").run(mailboxId);
  db.prepare("DELETE FROM expunged WHERE mailbox_id = ?").run(mailboxId);
  db.prepare("DELETE FROM snapshots WHERE mailbox_id = ?").run(mailboxId);
  ctx.stmts.deleteSnapshotSeqs.run(mailboxId);
  ctx.onChange?.({ kind: "forgot" });
}
