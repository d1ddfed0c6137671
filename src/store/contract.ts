// The store's contract with the IMAP engine: a user's mailboxes, UIDs, flags and MODSEQs,
// kept in MH folders. No wire knowledge here: flags are IMAP flag names, names are Unicode.
import type { EventEmitter } from "node:events";
import type { MimeIndex } from "../message/model.js";

/** `\Seen` `\Answered` `\Flagged` `\Deleted` `\Draft` or a keyword. Never `\Recent`. */
export type Flag = string;

export interface MessageRecord {
  uid: number;
  /** MH message number (file name) right now; changes on pack/sortm */
  num: number;
  flags: Flag[];
  modseq: number;
  /** RFC822.SIZE: the size in CRLF form */
  size: number;
  /** INTERNALDATE = the file's mtime */
  internalDate: Date;
}

export interface MailboxStatus {
  messages: number;
  recent: number;
  uidNext: number;
  uidValidity: number;
  unseen: number;
  highestModseq: number;
  /** sum of RFC822.SIZE */
  size: number;
  deleted: number;
  /** what an EXPUNGE would free of the quota's STORAGE (RFC 9208 DELETED-STORAGE): the \Deleted
   *  messages' bytes on disk */
  deletedStorage: number;
}

export interface MailboxInfo {
  /** Unicode, `/`-separated, `INBOX` for the inbox */
  name: string;
  subscribed: boolean;
  /** `\Sent` `\Drafts` `\Trash` `\Junk` `\Archive`, or null */
  specialUse: string | null;
  /** true for a name that exists only as the parent of others (no folder on disk) */
  noselect: boolean;
  hasChildren: boolean;
}

/** Changes to one mailbox, in the order they happened, whoever made them (IMAP or nmh). */
export type MailboxEvent =
  | { kind: "added"; uids: number[] }
  | { kind: "expunged"; uids: number[] }
  | { kind: "flags"; uids: number[] }
  /** the mailbox was deleted or renamed away; sessions that have it selected must close it */
  | { kind: "gone" };

/** A change to the user's folder names or subscriptions, whoever made it (IMAP or nmh). A rename
 *  is one event for the folder named (its children move with it). */
export type NameChange =
  | { kind: "created" | "deleted" | "subscribed" | "unsubscribed"; name: string }
  | { kind: "renamed"; from: string; to: string };

/** Typed errors the engine turns into NO responses with these codes. */
export type StoreErrorCode =
  | "NONEXISTENT" | "ALREADYEXISTS" | "CANNOT" | "TRYCREATE" | "LIMIT" | "INUSE"
  | "SERVERBUG" | "OVERQUOTA" | "NOPERM" | "EXPUNGEISSUED";

export class StoreError extends Error {
  constructor(readonly code: StoreErrorCode, message: string) {
    super(message);
    this.name = "StoreError";
  }
}

export interface StoreFlagsResult {
  /** records after the change (only those whose flags or modseq changed) */
  changed: MessageRecord[];
  /** UIDs refused by UNCHANGEDSINCE (their modseq was higher) */
  modified: number[];
}

/**
 * A message's bytes as stored (LF form), from the file that was the record's message when they
 * were opened; close() when done.
 */
export interface MessageBytes {
  /** bytes on disk */
  readonly size: number;
  /** bytes [start, end), fewer only when the file ends first */
  read(start: number, end: number): Promise<Buffer>;
  /** bytes [start, end) as they are read, in large chunks, the next read in flight */
  chunks(start: number, end: number): AsyncIterable<Buffer>;
  close(): Promise<void>;
}

/** One MH folder. One object per folder per user process, shared by all sessions. */
export interface Mailbox extends EventEmitter {
  readonly name: string;
  readonly uidValidity: number;
  readonly uidNext: number;
  readonly highestModseq: number;
  /** UIDNEXT when this process first read the folder (for any command): messages from this UID
   *  on arrived while we watched, so they are new to the sessions here (\Recent). */
  readonly newFrom: number;

  /** Reconcile with the files now (cheap when nothing changed); emits events for changes. */
  sync(): Promise<void>;
  /** All messages in UID order (ascending). The array is replaced, not mutated, on change. */
  messages(): readonly MessageRecord[];
  get(uid: number): MessageRecord | undefined;
  status(): MailboxStatus;

  /** Absolute path of the message file (for streaming byte ranges). */
  messagePath(uid: number): string;
  /** The whole file (LF form as stored). */
  readMessage(uid: number): Promise<Buffer>;
  /** The message's bytes for ranged and streamed reads, if the file still is that message (as readMessage checks). */
  messageBytes(uid: number): Promise<MessageBytes>;
  /** Bytes [start, end) read at once, synchronously (a header block); throws ENOENT when the
   *  file is no longer that message; fewer bytes when it changed while read. */
  readMessageRange(uid: number, start: number, end: number): Buffer;
  /**
   * The message model's index as persisted: parsed from its row in the state database, or made
   * from the file and stored. Engine code asks the cache of parsed messages
   * (src/imap/message-cache.ts), which loads it through here once and keeps it parsed.
   */
  index(uid: number): Promise<MimeIndex>;
  /** RFC 8514: when the message came into this mailbox (ms since the epoch); null once it is gone. */
  savedDate(uid: number): number | null;

  /** add: +FLAGS, remove: -FLAGS, replace: FLAGS. Merges with `.mh_sequences` on disk. */
  storeFlags(
    uids: number[], op: "add" | "remove" | "replace", flags: Flag[], unchangedSince?: number,
  ): Promise<StoreFlagsResult>;
  /** Store a message (CRLF or LF; kept as LF); returns its UID. */
  append(data: Buffer, flags: Flag[], internalDate?: Date): Promise<number>;
  /** Several messages, all or nothing (MULTIAPPEND). */
  appendMany(msgs: Array<{ data: Buffer; flags: Flag[]; internalDate?: Date }>): Promise<number[]>;
  /** Copy to another mailbox keeping flags and internal dates; returns [srcUid, dstUid] pairs. */
  copyTo(uids: number[], dest: Mailbox): Promise<Array<[number, number]>>;
  /**
   * MOVE: like copyTo then expunge, but a crash at any point leaves each message in exactly one
   * of the two folders (journalled; finished or rolled back when the store next opens).
   */
  moveTo(uids: number[], dest: Mailbox): Promise<Array<[number, number]>>;
  /** Remove these messages (files unlinked); returns the UIDs actually expunged. */
  expunge(uids: number[]): Promise<number[]>;
  /** UIDs expunged with a MODSEQ greater than `modseq` (QRESYNC). */
  expungedSince(modseq: number): number[];

  on(event: "change", listener: (ev: MailboxEvent) => void): this;
  /**
   * A listener for a folder nobody has selected (NOTIFY): told of the same events, but the folder
   * is watched by its fs.watch hint and a look every 30 s, not every second. Returns its remover.
   */
  watchLightly(listener: (ev: MailboxEvent) => void): () => void;
}

/** Quota limits (RFC 9208): STORAGE in units of 1024 octets, MESSAGE a count; absent = no limit. */
export interface QuotaLimits { storage?: number; messages?: number }

/** What the quota root holds now: messages, their bytes on disk, and those in units of 1024 (rounded up). */
export interface QuotaUsage { messages: number; bytes: number; storage: number }

/** The user's one quota root, over every folder. */
export interface QuotaRoot {
  readonly name: string;
  /** set at each login (from the password file or the server's default) */
  limits: QuotaLimits;
  /** kept by every commit and read without looking at any message, after a look at INBOX and
   *  the folders open in this process (mail nmh's inc delivered is counted) */
  usage(): Promise<QuotaUsage>;
}

/** A user's whole store: the mail root, its folders and the state database. */
/** Annotations changed (RFC 5464): the mailbox (null: the server), the entries set or removed,
 *  and whoever asked for the change (what `apply` was given), so it need not be told. */
export interface AnnotationChange {
  mailbox: string | null;
  entries: string[];
  origin?: unknown;
}

/** RFC 5464 annotations of one mailbox or of the server: entry names lower-cased, values bytes. */
export interface Annotations {
  get(entry: string): Buffer | undefined;
  /** the entries below `entry`, at most `depth` levels down (Infinity: all), sorted by name */
  below(entry: string, depth: number): Array<[string, Buffer]>;
  /** every change or none (null removes): false, and nothing changed, when it would leave more
   *  than `maxEntries` entries */
  apply(changes: ReadonlyArray<readonly [string, Buffer | null]>, maxEntries: number, origin?: unknown): boolean;
}

export interface UserStore {
  readonly root: string;
  /** APPEND, COPY (and MOVE to another quota root, which there is none of) are refused with
   *  OVERQUOTA beyond its limits, before anything is written */
  readonly quota: QuotaRoot;
  /** Every mailbox (incl. `\Noselect` parents), sorted by name. Rescans folders on disk. */
  list(): Promise<MailboxInfo[]>;
  /** Open (and sync) a mailbox; StoreError NONEXISTENT if there is none. */
  mailbox(name: string): Promise<Mailbox>;
  create(name: string, specialUse?: string): Promise<void>;
  delete(name: string): Promise<void>;
  /** Renames children too; renaming INBOX moves its messages into a new mailbox. */
  rename(from: string, to: string): Promise<void>;
  subscribe(name: string, on: boolean): Promise<void>;
  /** The annotations of a mailbox LIST shows (\Noselect too; StoreError NONEXISTENT for
   *  another name), or of the server for null. They follow RENAME and go with DELETE. */
  annotations(mailbox: string | null): Promise<Annotations>;
  /** Tells `listener` of every annotation change made until the returned function is called. */
  watchAnnotations(listener: (ev: AnnotationChange) => void): () => void;
  /** Every subscribed name, sorted, including names whose mailbox no longer exists. */
  subscriptions(): Promise<string[]>;
  /**
   * Tells `listener` of every NameChange until the returned function is called. While anyone
   * listens the folder tree is watched (fs.watch on each folder directory, a look every 30 s),
   * so nmh's `folder -create`, `rmf` and a folder renamed by hand are found without a command.
   */
  watchNames(listener: (ev: NameChange) => void): () => void;
  /** Status without selecting; cheap for a folder that did not change. */
  status(name: string): Promise<MailboxStatus>;
  /** The identity of every message the state database records, in every folder. */
  identities(): Identity[];
  close(): Promise<void>;
}

/** What a store tells whoever keeps something per message (the full-text index), after the
 *  change is committed; called synchronously, so the listener must only schedule work. */
export type StoreChange =
  /** a folder opened in this process, new mail in one, or one deleted or renamed away */
  | { kind: "opened" | "added" | "gone"; mailbox: Mailbox }
  /** messages left a folder, or a whole folder's messages were forgotten (deleted) */
  | { kind: "expunged" | "forgot" };

/** A message file's identity as the store records it: [inode, size, mtime]. */
export type Identity = [number, number, number];

export interface StoreOptions {
  /** told of changes (see StoreChange) */
  onChange?: (change: StoreChange) => void;
  /** take nmh's lock on `.mh_sequences` (ENABLE_MH_FILE_LOCKING) */
  locking?: boolean;
  /** how long a write waits for that lock before going on without it, with a warning (2000) */
  lockTimeoutMs?: number;
  /** how often the watcher re-stats folders with sessions on them, ms (default 1000) */
  pollMs?: number;
  logger?: { warn(obj: object, msg?: string): void; info(obj: object, msg?: string): void;
    debug(obj: object, msg?: string): void; error(obj: object, msg?: string): void };
}
