// Failed-login throttling, after the old server's rules (reference §5.4) with one change: counts
// per user name at one client address, per client address, and per user name at all addresses,
// each with a 60 s sliding window from its last failure. From the 5th failure for a user at an
// address or the 6th for an address, further attempts from there are refused without checking
// the password until 60 s pass with no new (counted) failure. Unlike the old server, a user's
// other addresses are not locked out by one address guessing (through a proxy every client has
// its own address: one attacker must not lock a user out everywhere); a guess spread over many
// addresses is stopped by the per-user count, from its 21st failure.
export const PURGE_MS = 60_000;
export const MAX_USER_ATTEMPTS = 4;
export const MAX_ADDR_ATTEMPTS = 5;
export const MAX_USER_EVERYWHERE_ATTEMPTS = 20;

interface Entry {
  count: number;
  last: number;
}

export class Throttle {
  /** user NUL address */
  private users = new Map<string, Entry>();
  private addrs = new Map<string, Entry>();
  private everywhere = new Map<string, Entry>();
  constructor(private readonly now: () => number = Date.now,
    readonly purgeMs = PURGE_MS, readonly maxUser = MAX_USER_ATTEMPTS,
    readonly maxAddr = MAX_ADDR_ATTEMPTS, readonly maxUserEverywhere = MAX_USER_EVERYWHERE_ATTEMPTS) {}

  private fresh(map: Map<string, Entry>, key: string): Entry | undefined {
    const e = map.get(key);
    if (e && this.now() - e.last > this.purgeMs) {
      map.delete(key);
      return undefined;
    }
    return e;
  }

  /** false when this user here, this address, or this user everywhere failed too often recently */
  allow(user: string, addr: string): boolean {
    const u = this.fresh(this.users, `${user}\0${addr}`);
    const a = this.fresh(this.addrs, addr);
    const e = this.fresh(this.everywhere, user);
    return !((u && u.count > this.maxUser) || (a && a.count > this.maxAddr) || (e && e.count > this.maxUserEverywhere));
  }

  failed(user: string, addr: string): void {
    const t = this.now();
    for (const [map, key] of [[this.users, `${user}\0${addr}`], [this.addrs, addr], [this.everywhere, user]] as const) {
      const e = this.fresh(map, key);
      map.set(key, { count: (e?.count ?? 0) + 1, last: t });
    }
  }

  /** Drops expired entries so the maps do not grow without bound under a scan. */
  sweep(): void {
    const t = this.now();
    for (const map of [this.users, this.addrs, this.everywhere]) {
      for (const [k, e] of map) if (t - e.last > this.purgeMs) map.delete(k);
    }
  }
}
