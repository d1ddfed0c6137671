// Case-insensitive search of an ASCII needle in raw bytes, without making a string of them.
// Buffer.indexOf (memchr speed) finds candidates for one anchor byte of the needle in either
// case; each candidate is checked in place. When candidates come too thick (a common anchor
// letter), the rest is searched as a lower-cased latin1 string, which never costs more than that.

const SAMPLE = 1024;
/** after a haystack where anchors came too thick, this many go straight to the string search
 *  (so a needle of only common letters costs little more than the plain search) */
const DENSE_SKIP = 8;
const seen = new Uint32Array(128);

const lower = (c: number) => (c >= 65 && c <= 90 ? c | 0x20 : c);

/** The needle position to look for: the byte (either case) rarest in a sample of the haystack,
 *  as mail differs (in a corpus of "qua" syllables, q is a poor choice). */
function anchorFrom(hay: Buffer, start: number, end: number, needle: Buffer): number {
  for (let i = 0; i < needle.length; i++) seen[needle[i]] = 0;
  const stop = Math.min(end, start + SAMPLE);
  for (let i = start; i < stop; i++) {
    const c = lower(hay[i]);
    if (c < 128) seen[c]++;
  }
  let best = 0;
  for (let i = 1; i < needle.length; i++) if (seen[needle[i]] < seen[needle[best]]) best = i;
  return best;
}

/** One search's needle: every part of every message of a SEARCH asks with the same one, so
 *  the anchor is chosen once (from the first haystack) and changed only when it proves common. */
export class AsciiNeedle {
  readonly bytes: Buffer;
  private anchor = -1;
  /** haystacks left to search as strings straight away: the anchor proved common lately */
  private dense = 0;

  /** `needle`: lower-case ASCII, non-empty */
  constructor(readonly text: string) {
    this.bytes = Buffer.from(text, "latin1");
  }

  /** Whether `hay[start, end)` holds the needle with ASCII letters of either case. Bytes ≥ 0x80
   *  match only themselves, and the needle has none. */
  foundIn(hay: Buffer, start = 0, end = hay.length): boolean {
    const needle = this.bytes;
    const n = needle.length;
    if (end - start < n) return false;
    if (this.dense > 0) {
      this.dense--;
      return hay.toString("latin1", start, end).toLowerCase().includes(this.text);
    }
    if (this.anchor < 0) this.anchor = anchorFrom(hay, start, end, needle);
    const a = this.anchor;
    const lo = needle[a];
    const up = lo >= 97 && lo <= 122 ? lo - 32 : lo;
    let nextLo = -2, nextUp = up === lo ? -1 : -2; // -2: not looked for yet; -1: none left
    let from = start + a;
    let tried = 0;
    const budget = 16 + ((end - start) >> 7);
    while (from < end) {
      if (nextLo !== -1 && nextLo < from) nextLo = hay.indexOf(lo, from);
      if (nextUp !== -1 && nextUp < from) nextUp = hay.indexOf(up, from);
      if (nextLo >= end) nextLo = -1;
      if (nextUp >= end) nextUp = -1;
      const p = nextLo < 0 ? nextUp : nextUp < 0 ? nextLo : Math.min(nextLo, nextUp);
      if (p < 0) return false;
      const s = p - a;
      if (s + n > end) return false;
      let k = 0;
      while (k < n && lower(hay[s + k]) === needle[k]) k++;
      if (k === n) return true;
      from = p + 1;
      if (++tried > budget) {
        // too many false starts: a rarer anchor for the next haystacks, and one pass over the
        // rest of this one as a string
        this.anchor = anchorFrom(hay, start, end, needle);
        this.dense = DENSE_SKIP;
        const rest = Math.max(start, from - a);
        return hay.toString("latin1", rest, end).toLowerCase().includes(this.text);
      }
    }
    return false;
  }
}
