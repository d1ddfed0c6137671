// ESEARCH (RFC 4731) results and SEARCHRES (RFC 5182) saving: what `SEARCH RETURN (...)` answers,
// in Dovecot's order (MIN MAX ALL COUNT, then MODSEQ), and what it saves for `$`.
import type { SearchReturn } from "../../protocol/ast.js";
import type { MessageRecord } from "../../store/contract.js";
import { esearchResponse, type EsearchItem } from "../../protocol/responses.js";

export interface Found {
  /** matching messages in mailbox order */
  recs: readonly MessageRecord[];
  /** the number the client sees for each: UID or sequence number */
  num: (r: MessageRecord) => number;
}

/** RETURN () means ALL (RFC 4731 §3.1); SAVE alone returns nothing but saves. */
export function returnOptions(ret: readonly SearchReturn[]): SearchReturn[] {
  return ret.length === 0 ? ["ALL"] : [...ret];
}

/**
 * The `* ESEARCH` line, or null when only SAVE was asked. `modseq`: the MODSEQ search key was
 * used, so the highest MODSEQ of the returned messages follows (RFC 7162 §3.1.5).
 */
export function esearchLine(tag: string, uid: boolean, ret: readonly SearchReturn[], found: Found, modseq: boolean): string | null {
  const opts = returnOptions(ret);
  if (opts.every((o) => o === "SAVE")) return null;
  const nums = found.recs.map(found.num);
  const parts: EsearchItem[] = [];
  const shown: MessageRecord[] = [];
  if (nums.length) {
    const lo = found.recs.reduce((a, b) => (found.num(b) < found.num(a) ? b : a));
    const hi = found.recs.reduce((a, b) => (found.num(b) > found.num(a) ? b : a));
    if (opts.includes("MIN")) { parts.push(["MIN", found.num(lo)]); shown.push(lo); }
    if (opts.includes("MAX")) { parts.push(["MAX", found.num(hi)]); shown.push(hi); }
    if (opts.includes("ALL")) { parts.push(["ALL", nums]); shown.push(...found.recs); }
  }
  if (opts.includes("COUNT")) { parts.push(["COUNT", nums.length]); shown.push(...found.recs); }
  if (modseq && shown.length) parts.push(["MODSEQ", Math.max(...shown.map((r) => r.modseq))]);
  return esearchResponse(tag, uid, parts);
}

/**
 * What SAVE keeps (RFC 5182 §2.4): everything found, except that with MIN and/or MAX but
 * neither ALL nor COUNT only those are kept. Returned as UIDs.
 */
export function savedUids(ret: readonly SearchReturn[], recs: readonly MessageRecord[]): number[] {
  const opts = returnOptions(ret);
  const uids = recs.map((r) => r.uid).sort((a, b) => a - b);
  if (!uids.length) return [];
  if ((opts.includes("MIN") || opts.includes("MAX")) && !opts.includes("ALL") && !opts.includes("COUNT")) {
    const out: number[] = [];
    if (opts.includes("MIN")) out.push(uids[0]);
    if (opts.includes("MAX") && uids[uids.length - 1] !== out[0]) out.push(uids[uids.length - 1]);
    return out;
  }
  return uids;
}
