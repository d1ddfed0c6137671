// The hand-over of a logged-in connection from the root process to a user process.
// The root connects to the user process's unix socket, writes one JSON line (this header)
// and then relays the client's bytes unchanged in both directions. The user process answers
// the LOGIN/AUTHENTICATE command itself (tagged OK with the post-login capabilities), so the
// capability list is computed in one place: the handler table.

export interface Handoff {
  v: 1;
  user: string;
  /** the user's mail directory (from the password file): a user process serves several users */
  maildir?: string;
  /** the real client address, `ip:port` */
  remote: string;
  /** the tag of the LOGIN/AUTHENTICATE that succeeded: the user process completes it */
  tag: string;
  /** "LOGIN" or "AUTHENTICATE" (for the completion text) */
  command: string;
  /** the connection is TLS-protected (implicit TLS or STARTTLS) */
  tls: boolean;
  /** ID parameters the client sent before login, if any */
  clientId?: Array<[string, string | null]> | null;
  /** the user's quota limits (RFC 9208; STORAGE in units of 1024 octets), none when absent */
  quota?: HandoffQuota;
}

export interface HandoffQuota { storage?: number; messages?: number }

const isLimit = (v: unknown) => v === undefined || (Number.isSafeInteger(v) && (v as number) >= 0);

export function encodeHandoff(h: Handoff): Buffer {
  return Buffer.from(JSON.stringify(h) + "\n", "utf8");
}

/** Parses the header line (without its LF). Throws on anything malformed. */
export function decodeHandoff(line: string): Handoff {
  const h = JSON.parse(line) as Partial<Handoff>;
  if (h.v !== 1 || typeof h.user !== "string" || typeof h.remote !== "string" ||
      typeof h.tag !== "string" || typeof h.command !== "string" || typeof h.tls !== "boolean" ||
      (h.maildir !== undefined && typeof h.maildir !== "string") ||
      (h.quota !== undefined && (typeof h.quota !== "object" || h.quota === null ||
        !isLimit(h.quota.storage) || !isLimit(h.quota.messages)))) {
    throw new Error("malformed hand-off header");
  }
  return h as Handoff;
}
