// The user's one quota root (RFC 9208): STORAGE (the messages' bytes on disk, in units of 1024
// octets, as RFC 9208 §5.1's "physical space") and MESSAGE (their number), over every folder.
// The usage is the per-folder totals that triggers on the message rows keep (db.ts, migration
// 7), so it is current after every commit, whoever made the change (IMAP or nmh), and reading
// it sums one row per folder, never the messages. Limits come with each login (the hand-off).
import type Database from "better-sqlite3";
import { StoreError, type QuotaLimits, type QuotaRoot, type QuotaUsage } from "./contract.js";

/** The one root's name, Dovecot's default (its quota plugin's "User quota"). */
export const QUOTA_ROOT = "User quota";

export class UserQuota implements QuotaRoot {
  readonly name = QUOTA_ROOT;
  limits: QuotaLimits = {};
  /** messages and bytes being written now (checked, not committed yet): a second writer counts them */
  private pending = { messages: 0, bytes: 0 };
  private readonly totals: Database.Statement;

  constructor(db: Database.Database) {
    this.totals = db.prepare(
      "SELECT coalesce(sum(messages), 0) AS messages, coalesce(sum(bytes), 0) AS bytes FROM mailbox_usage",
    );
  }

  /**
   * Looks at folders (set by the store): `every` the first time, so a folder never looked at
   * since the state database began has rows to count; else INBOX and the folders open here,
   * which mail may have reached behind our back.
   */
  look: (every: boolean) => Promise<void> = async () => undefined;
  private everyFolder: Promise<void> | null = null;

  async usage(): Promise<QuotaUsage> {
    await this.seenEveryFolder();
    await this.look(false);
    return this.counted();
  }

  /** Before a write that must fit: every folder was looked at once in this process. */
  async prepare(): Promise<void> {
    if (this.limits.storage !== undefined || this.limits.messages !== undefined) await this.seenEveryFolder();
  }

  private seenEveryFolder(): Promise<void> {
    return (this.everyFolder ??= this.look(true).catch((e: unknown) => {
      this.everyFolder = null;
      throw e;
    }));
  }

  /** The usage as the state database has it after the last commit of each folder. */
  counted(): QuotaUsage {
    const t = this.totals.get() as { messages: number; bytes: number };
    return { messages: t.messages, bytes: t.bytes, storage: Math.ceil(t.bytes / 1024) };
  }

  /**
   * Runs `write` (which stores `messages` messages of `bytes` bytes in all) if that keeps the
   * usage within the limits, else throws OVERQUOTA before anything is written. Mail that arrives
   * by other ways (nmh's inc) is never refused: it is counted, and then refuses what comes next.
   */
  async admit<T>(messages: number, bytes: number, write: () => Promise<T>): Promise<T> {
    const { storage, messages: maxMessages } = this.limits;
    if (storage !== undefined || maxMessages !== undefined) {
      const u = this.counted();
      const n = u.messages + this.pending.messages + messages;
      const b = u.bytes + this.pending.bytes + bytes;
      if (maxMessages !== undefined && n > maxMessages) {
        throw new StoreError("OVERQUOTA", `Quota exceeded: ${n} messages would be over the limit of ${maxMessages}.`);
      }
      if (storage !== undefined && b > storage * 1024) {
        throw new StoreError("OVERQUOTA",
          `Quota exceeded: ${Math.ceil(b / 1024)} KiB would be over the limit of ${storage} KiB.`);
      }
    }
    this.pending.messages += messages;
    this.pending.bytes += bytes;
    try {
      return await write();
    } finally {
      this.pending.messages -= messages;
      this.pending.bytes -= bytes;
    }
  }
}
