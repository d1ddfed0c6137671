// ESEARCH (RFC 4731) results, ESORT and PARTIAL (RFC 5267) and SEARCHRES (RFC 5182) saving: what
// `SEARCH RETURN (...)` and `SORT RETURN (...)` answer, in Dovecot's order (MIN MAX ALL/PARTIAL
// COUNT, then MODSEQ), and what they save for `$`.
import type { SearchReturn } from "../../protocol/ast.js";
import type { MessageRecord } from "../../store/contract.js";
import { esearchResponse, type EsearchItem } from "../../protocol/responses.js";

export interface Found {
  /** matching messages in the requested order: mailbox order for SEARCH, SORT's for SORT */
  recs: readonly MessageRecord[];
  /** the number the client sees for each: UID or sequence number */
  num: (r: MessageRecord) => number;
}

/** RETURN () means ALL (RFC 4731 §3.1); CONTEXT is only a hint (RFC 5267 §4.2), so RETURN
 *  (CONTEXT) is ALL as well; SAVE alone returns nothing but saves. */
export function returnOptions(ret: readonly SearchReturn[]): SearchReturn[] {
  const opts = ret.filter((o) => o !== "CONTEXT");
  return opts.length === 0 ? ["ALL"] : opts;
}

/** Why the RETURN options cannot go together (a BAD), or null: at most one PARTIAL or ALL
 *  (RFC 5267 §4.4). */
export function returnConflict(ret: readonly SearchReturn[]): string | null {
  const windows = ret.filter((o) => o === "ALL" || typeof o === "object").length;
  return windows > 1 ? "RETURN may hold only one of PARTIAL and ALL." : null;
}

const partialOf = (opts: readonly SearchReturn[]) =>
  opts.find((o): o is { partial: [number, number] } => typeof o === "object")?.partial;

/**
 * The `* ESEARCH` line, or null when only SAVE was asked. MIN and MAX are the first and last
 * in the requested order (RFC 5267 §3.1; for SEARCH the lowest and highest). `modseq`: the
 * MODSEQ search key was used, so the highest MODSEQ of the returned messages follows (RFC 7162
 * §3.1.5).
 */
export function esearchLine(tag: string, uid: boolean, ret: readonly SearchReturn[], found: Found, modseq: boolean): string | null {
  const opts = returnOptions(ret);
  if (opts.every((o) => o === "SAVE")) return null;
  const { recs, num } = found;
  const parts: EsearchItem[] = [];
  const shown: MessageRecord[] = [];
  if (recs.length) {
    const lo = recs[0];
    const hi = recs[recs.length - 1];
    if (opts.includes("MIN")) { parts.push(["MIN", num(lo)]); shown.push(lo); }
    if (opts.includes("MAX")) { parts.push(["MAX", num(hi)]); shown.push(hi); }
    if (opts.includes("ALL")) { parts.push(["ALL", recs.map(num)]); shown.push(...recs); }
  }
  const partial = partialOf(opts);
  if (partial) {
    const window = recs.slice(partial[0] - 1, partial[1]);
    parts.push(["PARTIAL", partial, window.map(num)]);
    shown.push(...window);
  }
  if (opts.includes("COUNT")) { parts.push(["COUNT", recs.length]); shown.push(...recs); }
  if (modseq && shown.length) parts.push(["MODSEQ", shown.reduce((m, r) => Math.max(m, r.modseq), 0)]);
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
