// One message as the store keeps it in memory: a small fixed-shape object holding the IMAP
// fields and the file's identity. No Date per message (INTERNALDATE is made when asked for) and
// no side maps: at 100,000 messages the records are most of a selected folder's memory.
import type { Flag, MessageRecord } from "./contract.js";

/** A file's identity: the same (inode, size, mtime) after a rename means the same message. */
export interface Ident { ino: number; size: number; mtime: number }

export const identKey = (i: Ident) => `${i.ino}:${i.size}:${i.mtime}`;

/**
 * Counts a record's RFC822.SIZE from its file when first asked: the CRLF size needs every byte,
 * and a first open of 100,000 files must not read them all before SELECT can answer.
 * Returns -1 when the file at the record's number is no longer that message.
 */
export interface SizeCounter { count(rec: StoredRecord): number }

/** Never mutated, but for a lazily counted size: a change makes a new record (the engine compares records by identity). */
export class StoredRecord implements MessageRecord {
  constructor(
    readonly uid: number,
    readonly num: number,
    /** shared between records with the same flags (see FlagInterner) */
    readonly flags: Flag[],
    readonly modseq: number,
    /** RFC822.SIZE (CRLF form), -1 until counted */
    crlf: number,
    readonly ino: number,
    /** the file's size on disk (LF form) */
    readonly fileSize: number,
    /** the file's mtime, ms with sub-ms precision (the identity needs it exactly) */
    readonly mtime: number,
    counter: SizeCounter,
  ) {
    this.#crlf = crlf;
    this.#counter = counter;
  }

  // #private: not own properties, so records still compare equal field by field
  #crlf: number;
  readonly #counter: SizeCounter;

  /** RFC822.SIZE: the file is read once, the first time someone asks. */
  get size(): number {
    if (this.#crlf >= 0) return this.#crlf;
    const n = this.#counter.count(this);
    if (n < 0) return this.fileSize; // replaced behind our back: reading it reports it expunged
    this.#crlf = n;
    return n;
  }

  /** The CRLF size if known, else -1 (never reads the file). */
  get knownSize(): number {
    return this.#crlf;
  }

  /** INTERNALDATE has whole seconds; sub-second mtimes would not survive a copy exactly. */
  get internalDate(): Date {
    return new Date(Math.floor(this.mtime / 1000) * 1000);
  }

  get ident(): Ident {
    return { ino: this.ino, size: this.fileSize, mtime: this.mtime };
  }

  identKey(): string {
    return `${this.ino}:${this.fileSize}:${this.mtime}`;
  }

  with(num: number, flags: Flag[], modseq: number): StoredRecord {
    return new StoredRecord(this.uid, num, flags, modseq, this.#crlf, this.ino, this.fileSize, this.mtime, this.#counter);
  }
}

/** Index of the item whose `key` is `value` in an array in ascending order of that key, or -1. */
export function findSorted<T>(items: readonly T[], value: number, key: (item: T) => number): number {
  let lo = 0, hi = items.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const k = key(items[mid]);
    if (k === value) return mid;
    if (k < value) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** Index of the record with this UID in a UID-ordered array, or -1. */
export function findUid(recs: readonly { readonly uid: number }[], uid: number): number {
  return findSorted(recs, uid, (r) => r.uid);
}

/**
 * One array per distinct flag set for the life of a mailbox: 100,000 records share a handful
 * of arrays, and equal sets are the same array (comparing them is one `===`).
 */
export class FlagInterner {
  private sets = new Map<string, Flag[]>();

  /** `flags` must be sorted; the array returned must never be mutated. */
  intern(flags: Flag[]): Flag[] {
    const key = flags.join(" ");
    let s = this.sets.get(key);
    if (!s) this.sets.set(key, (s = flags));
    return s;
  }

  /** From the space-separated form kept in the database. */
  fromText(text: string): Flag[] {
    let s = this.sets.get(text);
    if (!s) this.sets.set(text, (s = text === "" ? [] : text.split(" ")));
    return s;
  }
}
