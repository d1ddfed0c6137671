// A user's quota limits in the password file: an optional last field of key=value pairs,
// `storage=10G,messages=100000` (storage in bytes or with K/M/G/T; `none` = no limit, overriding
// asimapd's default). A field with `=` cannot be a backend's host:port, so older files (and
// asimapd-auth's backend field) read as before.
import type { HandoffQuota } from "../protocol/handoff.js";
import { sizeInBytes } from "./size-text.js";

export type { HandoffQuota };

/** As written for one account: a number, null for `none`, undefined when not given. */
export interface AccountQuota { storage?: number | null; messages?: number | null }

export function isQuotaField(field: string): boolean {
  return field.includes("=");
}

/** The limits (storage in units of 1024 octets, rounded up), or a reason. */
export function parseQuotaField(field: string): AccountQuota | { problem: string } {
  const q: AccountQuota = {};
  for (const part of field.split(",")) {
    const [key, value = ""] = part.split("=").map((s) => s.trim());
    const none = value.toLowerCase() === "none";
    if (key === "storage") {
      const bytes = none ? null : sizeInBytes(value);
      if (bytes === null && !none) return { problem: `quota storage ${JSON.stringify(value)} is not a size (e.g. 10G, 500M, none)` };
      q.storage = bytes === null ? null : Math.ceil(bytes / 1024);
    } else if (key === "messages") {
      if (!none && !/^[0-9]{1,15}$/.test(value)) return { problem: `quota messages ${JSON.stringify(value)} is not a number (or none)` };
      q.messages = none ? null : Number(value);
    } else {
      return { problem: `unknown quota key ${JSON.stringify(key)} (storage=<size>, messages=<n>)` };
    }
  }
  return q;
}

/** The account's own limits where it has them, the server's default elsewhere. */
export function effectiveQuota(account: AccountQuota | undefined, defaults: HandoffQuota): HandoffQuota {
  const pick = (own: number | null | undefined, dflt: number | undefined) => (own === undefined ? dflt : own ?? undefined);
  const storage = pick(account?.storage, defaults.storage);
  const messages = pick(account?.messages, defaults.messages);
  return { ...(storage !== undefined ? { storage } : {}), ...(messages !== undefined ? { messages } : {}) };
}
