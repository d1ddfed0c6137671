// When a folder's stat signature can be trusted. A change made in the same timestamp tick as the
// last one leaves the stamps as they were, so a folder whose newest stamp is younger than a tick
// (with a margin) at the moment we looked is "racy": the next sync reads it again rather than
// trust an unchanged stat. How long a tick is depends on the filesystem, and the stamps say it:
// a stamp whose sub-second part is s can only come from a clock whose tick divides both s and
// one second, so gcd(s, 1 s) bounds the tick from above. Each stamp is judged on its own, so one
// stamp that happens to fall on a whole second (or on a round 10 ms) only makes that look
// cautious; a coarse filesystem can never produce a stamp that looks fine.

const SECOND_NS = 1_000_000_000n;
/**
 * Linux local filesystems stamp with the kernel's coarse clock (advanced every jiffy, ≤ 10 ms) or
 * finer: 100 ms is ten jiffies at the slowest tick.
 */
export const RACY_FINE_NS = 100_000_000n;
/** whole-second stamps (ext3, HFS+, some network filesystems) or FAT's two seconds */
export const RACY_COARSE_NS = 2n * SECOND_NS;

/** How long after a change with this stamp another change could still get the same stamp, with margin. */
export function racyWindowNs(stampNs: bigint): bigint {
  const sub = ((stampNs % SECOND_NS) + SECOND_NS) % SECOND_NS;
  if (sub === 0n) return RACY_COARSE_NS;
  const window = 2n * gcd(sub, SECOND_NS);
  return window > RACY_FINE_NS ? window : RACY_FINE_NS;
}

/**
 * While our own writes keep coming, the folder is always racy (each write is a fresh stamp) and
 * every sync would read the directory. A folder with fine stamps is then read at most this often:
 * a change hidden behind one of our own stamps (same tick, or made while we wrote) is found by
 * the next look at most this long later, which a deferred sync guarantees even if no client asks.
 * Coarse folders are read on every sync while racy, as before.
 */
export const RACY_LOOK_EVERY_MS = 100;

/** The stamp shows a tick fine enough for the short window. */
export function fineStamp(stampNs: bigint): boolean {
  return racyWindowNs(stampNs) === RACY_FINE_NS;
}

/** A stamp seen at `nowNs` is too young to rule out a later change hiding behind it. */
export function isRacy(nowNs: bigint, stampNs: bigint): boolean {
  return nowNs - stampNs < racyWindowNs(stampNs);
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}
