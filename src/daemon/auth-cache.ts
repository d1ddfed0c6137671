// Remembers verified passwords, as Dovecot's auth_cache: a login with the password that was
// last verified for a user skips the hash (Django's pbkdf2_sha256 is 1.2 million rounds, about
// a second of CPU). Kept: an HMAC (per-process random key) of user, password-file line and
// password, never the password; compared in constant time. An entry is dropped when the user's
// line changes, after an hour, or when the cache is full (oldest first). Failures are never kept.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { Account } from "./pwfile.js";

interface Entry { line: string; mac: Buffer; at: number }

export class AuthCache {
  private readonly key = randomBytes(32);
  private readonly entries = new Map<string, Entry>();
  constructor(readonly ttlMs = 3_600_000, readonly max = 10_000, private readonly now: () => number = Date.now) {}

  private mac(user: string, line: string, password: string): Buffer {
    // JSON keeps the three apart whatever they contain
    return createHmac("sha256", this.key).update(JSON.stringify([user, line, password]), "utf8").digest();
  }

  /** True when this password was verified for this very line of the password file. */
  has(account: Account, password: string): boolean {
    const e = this.entries.get(account.user);
    if (!e) return false;
    if (e.line !== lineOf(account) || this.now() - e.at > this.ttlMs) {
      this.entries.delete(account.user);
      return false;
    }
    return timingSafeEqual(e.mac, this.mac(account.user, e.line, password));
  }

  /** After a successful verification by the hash. */
  put(account: Account, password: string): void {
    const line = lineOf(account);
    this.entries.delete(account.user);
    this.entries.set(account.user, { line, mac: this.mac(account.user, line, password), at: this.now() });
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
  }
}

const lineOf = (a: Account): string => `${a.hash}:${a.maildir}`;
