// \Recent for one user process: RFC 3501 §2.3.2 says a message is recent to the first session
// told of it, and read-write sessions take it: later sessions do not see it recent. A read-only
// one (EXAMINE) sees it without taking it, as Dovecot does. New means: arrived after this
// process first read the folder (Mailbox.newFrom), whatever command read it (an APPEND to a
// folder nobody selected counts); what was there before is not recent. The claim is the highest
// UID taken so far, per mailbox.
export class RecentClaims {
  private claimed = new Map<string, number>();

  /**
   * The UIDs above the last claim: recent to this caller. A read-write caller (`take`) claims
   * them. `uids` is ascending, so this is a binary search, not a pass over a 100k-message folder.
   */
  claim(mailbox: string, uids: readonly number[], newFrom: number, take: boolean): number[] {
    const upTo = this.claimed.get(mailbox) ?? newFrom - 1;
    const mine = uids.slice(firstAbove(uids, upTo));
    if (take) this.claimed.set(mailbox, Math.max(upTo, uids.length > 0 ? uids[uids.length - 1] : 0));
    return mine;
  }

  /** RECENT for STATUS: messages no read-write session has taken yet. */
  unclaimed(mailbox: string, uids: readonly number[], newFrom: number): number {
    return uids.length - firstAbove(uids, this.claimed.get(mailbox) ?? newFrom - 1);
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
