// SEARCH TEXT's header half parses every field (unfold, split, RFC 2047) of messages whose
// bodies did not match, only to test `name: value` strings. For most needles a raw look at the
// header block answers "no" first: in a 7-bit block without encoded words every value is its
// raw bytes (unfolded, trimmed), so a needle with no whitespace and no colon, found in some
// `name: value`, lies inside one name or one value and so in the raw block too.
import { AsciiNeedle } from "./ascii-needle.js";

/** Needles for which the raw look is sound: printable ASCII without space or colon. */
const PLAIN = /^[\x21-\x39\x3b-\x7e]+$/;
/** Blocks where it is: 7-bit, and no encoded word to decode. */
const DECODES = /[^\x00-\x7f]|=\?/;

export class HeaderPrefilter {
  private readonly raw: AsciiNeedle | null;

  /** `needle`: lower-case */
  constructor(needle: string) {
    this.raw = PLAIN.test(needle) ? new AsciiNeedle(needle) : null;
  }

  /** False when no `name: value` of the block can hold the needle; true when it may. */
  mayHold(block: Buffer): boolean {
    if (!this.raw) return true;
    if (DECODES.test(block.toString("latin1"))) return true;
    return this.raw.foundIn(block);
  }
}
