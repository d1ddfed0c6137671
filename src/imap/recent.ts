// \Recent for one user process: RFC 3501 says exactly one session sees a message as recent.
// The first session that learns of a message (at SELECT, or by an EXISTS it is sent) claims it;
// the claim is the highest UID handed out so far, per mailbox.
export class RecentClaims {
  private claimed = new Map<string, number>();

  /**
   * Claims every UID above the last claim; returns the UIDs this caller now owns. `uids` is
   * ascending, so the claim is a binary search, not a pass over a 100k-message folder.
   * `storeRecent` is asked only on the first look (the store's count may cost a pass).
   */
  claim(mailbox: string, uids: readonly number[], storeRecent: () => number, uidNext: number): number[] {
    let upTo = this.claimed.get(mailbox);
    if (upTo === undefined) {
      // First look in this process: trust the store's count of recent messages (the newest ones).
      upTo = Math.max(0, uidNext - 1 - storeRecent());
    }
    const mine = uids.slice(firstAbove(uids, upTo));
    const max = uids.length > 0 ? uids[uids.length - 1] : 0;
    this.claimed.set(mailbox, Math.max(upTo, max));
    return mine;
  }

  /** RECENT for STATUS: messages nobody has claimed yet (undefined = never seen here). */
  unclaimed(mailbox: string, uids: readonly number[]): number | undefined {
    const upTo = this.claimed.get(mailbox);
    if (upTo === undefined) return undefined;
    return uids.filter((u) => u > upTo).length;
  }

  forget(mailbox: string): void {
    this.claimed.delete(mailbox);
  }
}

/** Index of the first element of the ascending `uids` greater than `v` (length if none). */
function firstAbove(uids: readonly number[], v: number): number {
  let lo = 0, hi = uids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (uids[mid] <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
