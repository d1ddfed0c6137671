// The few wire forms the handlers need, on top of the protocol encoder (which alone formats IMAP
// data): mailbox names, flag lists, dates, order-keeping UID sets.
import type { ImapData } from "../message/model.js";
import { encodeData, mailbox as encodeMailbox, quoted as encodeQuoted } from "../protocol/encode.js";

/** A short printable 7-bit text as a quoted string. */
export const quoted = (s: string): string => encodeQuoted(s);

/** Any value as the wire shows it: NIL, number, quoted string, literal, list. */
export const data = (v: ImapData): Buffer => encodeData(v);

/** A mailbox name on the wire: modified UTF-7, atom or quoted. */
export const mailbox = (name: string): string => encodeMailbox(name).toString("latin1");

export function flagList(flags: readonly string[]): string {
  return `(${flags.join(" ")})`;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const pad = (n: number) => String(n).padStart(2, "0");

/** INTERNALDATE: `"17-Jul-1996 02:44:25 +0000"` (UTC). */
export function internalDate(d: Date): string {
  return `"${pad(d.getUTCDate())}-${MONTHS[d.getUTCMonth()]}-${d.getUTCFullYear()} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000"`;
}

/**
 * `1:3,5` from numbers, keeping their order (COPYUID pairs source and destination UIDs by
 * position, so the two sets must not be re-sorted independently).
 */
export function compactSet(nums: readonly number[]): string {
  const out: string[] = [];
  let i = 0;
  while (i < nums.length) {
    let j = i;
    while (j + 1 < nums.length && nums[j + 1] === nums[j] + 1) j++;
    out.push(j > i ? `${nums[i]}:${nums[j]}` : `${nums[i]}`);
    i = j + 1;
  }
  return out.join(",");
}
