// Case-insensitive search of an ASCII needle in raw bytes, without making a string of them.
// Buffer.indexOf (memchr speed) finds candidates for one anchor byte of the needle in either
// case; each candidate is checked in place. When candidates come too thick (a common anchor
// letter), the rest is searched as a lower-cased latin1 string, which never costs more than that.

/** Letters from rarest to most common in English text: the anchor is the needle's rarest. */
const RARITY = "qjzxvkwyfbghmpduclsntoiraet";

const lower = (c: number) => (c >= 65 && c <= 90 ? c | 0x20 : c);

function anchorOf(needle: Buffer): number {
  let best = 0;
  let bestRank = Infinity;
  for (let i = 0; i < needle.length; i++) {
    const c = needle[i];
    // a digit or punctuation matches one byte only; a space is about as common as 'e'
    const rank = c >= 97 && c <= 122 ? 10 + RARITY.indexOf(String.fromCharCode(c)) : c === 32 ? 40 : 0;
    if (rank < bestRank) { best = i; bestRank = rank; }
  }
  return best;
}

/** Whether `hay[start, end)` holds `needle` (lower-case ASCII, non-empty) with ASCII letters
 *  of either case. Bytes ≥ 0x80 match only themselves, and the needle has none. */
export function includesAsciiCI(hay: Buffer, needle: Buffer, start = 0, end = hay.length): boolean {
  const n = needle.length;
  if (end - start < n) return false;
  const a = anchorOf(needle);
  const lo = needle[a];
  const up = lo >= 97 && lo <= 122 ? lo - 32 : lo;
  let nextLo = -2, nextUp = up === lo ? -1 : -2; // -2: not looked for yet; -1: none left
  let from = start + a;
  let tried = 0;
  const budget = 64 + ((end - start) >> 6);
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
      // too many false starts: one pass over the rest as a string is cheaper
      const rest = Math.max(start, from - a);
      return hay.toString("latin1", rest, end).toLowerCase().includes(needle.toString("latin1"));
    }
  }
  return false;
}
