// Failed-login throttling, as the old server did (reference §5.4): counts per user name and per
// client address, each with a 60 s sliding window from its last failure. From the 5th failure
// for a user or the 6th for an address, further attempts are refused without checking the
// password until 60 s pass with no new (counted) failure.
export const PURGE_MS = 60_000;
export const MAX_USER_ATTEMPTS = 4;
export const MAX_ADDR_ATTEMPTS = 5;

interface Entry {
  count: number;
  last: number;
}

export class Throttle {
  private users = new Map<string, Entry>();
  private addrs = new Map<string, Entry>();
  constructor(private readonly now: () => number = Date.now,
    readonly purgeMs = PURGE_MS, readonly maxUser = MAX_USER_ATTEMPTS,
    readonly maxAddr = MAX_ADDR_ATTEMPTS) {}

  private fresh(map: Map<string, Entry>, key: string): Entry | undefined {
    const e = map.get(key);
    if (e && this.now() - e.last > this.purgeMs) {
      map.delete(key);
      return undefined;
    }
    return e;
  }

  /** false when this user or this address has failed too often recently */
  allow(user: string, addr: string): boolean {
    const u = this.fresh(this.users, user);
    const a = this.fresh(this.addrs, addr);
    return !((u && u.count > this.maxUser) || (a && a.count > this.maxAddr));
  }

  failed(user: string, addr: string): void {
    const t = this.now();
    for (const [map, key] of [[this.users, user], [this.addrs, addr]] as const) {
      const e = this.fresh(map, key);
      map.set(key, { count: (e?.count ?? 0) + 1, last: t });
    }
  }

  /** Drops expired entries so the maps do not grow without bound under a scan. */
  sweep(): void {
    const t = this.now();
    for (const map of [this.users, this.addrs]) {
      for (const [k, e] of map) if (t - e.last > this.purgeMs) map.delete(k);
    }
  }
}
