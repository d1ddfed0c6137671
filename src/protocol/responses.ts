// Response lines (RFC 3501 §7, RFC 9051 §7): every line the server sends outside a FETCH body
// is built here, each a complete response ending in CRLF, as a string (written as UTF-8; only
// status texts can hold non-ASCII), or as bytes where values are bytes (METADATA's). The session, the pre-login code and every command write
// these and nothing of their own. Response codes with structure (lists, sets) are built here too.
import { astring, encodeData, mailboxName, orderedSet, compressSet, quoted, respText } from "./encode.js";

export type Status = "OK" | "NO" | "BAD";
const CRLF = "\r\n";

// ---- status responses (RFC 3501 §7.1) -----------------------------------------------------

/** `A1 OK [CODE] text`: a command's completion. */
export function tagged(tag: string, status: Status, text: string, code?: string): string {
  return `${tag} ${status} ${respText(code, text)}${CRLF}`;
}

/** `* OK [CODE] text`, `* BYE text`, `* PREAUTH ...`. */
export function untaggedStatus(status: Status | "BYE" | "PREAUTH", text: string, code?: string): string {
  return `* ${status} ${respText(code, text)}${CRLF}`;
}

/** `+ text`: a continuation request (literal, IDLE, AUTHENTICATE). */
export function continuation(text = ""): string {
  return `+ ${respText(undefined, text)}${CRLF}`;
}

// ---- response codes (RFC 3501 §7.1, RFC 4315, RFC 7162, RFC 5255) ---------------------------

const list = (items: readonly (string | number)[]): string => `(${items.join(" ")})`;

/** A URL in a response code's text, which cannot hold "]", control or non-ASCII characters:
 *  those %-encoded (as UTF-8), an empty one as "". */
function urlCodeText(url: string): string {
  if (url === "") return '""';
  return url.replace(/[\]\x00-\x1f\x7f]|[^\x00-\x7f]/gu,
    (c) => [...Buffer.from(c, "utf8")].map((b) => `%${b.toString(16).toUpperCase().padStart(2, "0")}`).join(""));
}

export const codes = {
  capability: (caps: readonly string[]): string => `CAPABILITY ${caps.join(" ")}`,
  permanentFlags: (flags: readonly string[]): string => `PERMANENTFLAGS ${list(flags)}`,
  badCharset: (charsets: readonly string[]): string => `BADCHARSET ${list(charsets)}`,
  /** APPENDUID (RFC 4315): the UIDs in the order the messages were appended */
  appendUid: (uidValidity: number, uids: readonly number[]): string => `APPENDUID ${uidValidity} ${orderedSet(uids)}`,
  /** COPYUID (RFC 4315): source and destination UIDs paired by position, so neither is re-sorted */
  copyUid: (uidValidity: number, from: readonly number[], to: readonly number[]): string =>
    `COPYUID ${uidValidity} ${orderedSet(from)} ${orderedSet(to)}`,
  /** MODIFIED (RFC 7162 §3.1.3): what a conditional STORE left alone */
  modified: (nums: readonly number[]): string => `MODIFIED ${compressSet(nums)}`,
  /** NOUPDATE (RFC 5267 §4.3.1): the searching command whose UPDATE is refused */
  noUpdate: (tag: string): string => `NOUPDATE ${quoted(tag)}`,
  /** BADURL (RFC 4469 §4.1): the URL as sent, unquoted as Dovecot gives it */
  badUrl: (url: string): string => `BADURL ${urlCodeText(url)}`,
  /** MAILBOXID (RFC 8474 §4): after SELECT/EXAMINE and CREATE */
  mailboxId: (id: string): string => `MAILBOXID (${id})`,
  /** RFC 5464 §4.2.1, §4.3 */
  metadataLongEntries: (size: number): string => `METADATA LONGENTRIES ${size}`,
  metadataMaxSize: (size: number): string => `METADATA MAXSIZE ${size}`,
  metadataTooMany: "METADATA TOOMANY",
};

// ---- server and mailbox data (RFC 3501 §7.2-7.4) --------------------------------------------

export function capabilityResponse(caps: readonly string[]): string {
  return `* CAPABILITY ${caps.join(" ")}${CRLF}`;
}

/** RFC 5161: what this ENABLE switched on (possibly nothing). */
export function enabledResponse(names: readonly string[]): string {
  return `* ENABLED${names.map((n) => " " + n).join("")}${CRLF}`;
}

/** RFC 2971: field-value pairs, or NIL. */
export function idResponse(fields: ReadonlyArray<readonly [string, string]> | null): string {
  const body = fields === null ? "NIL" : list(fields.map(([k, v]) => `${quoted(k)} ${quoted(v)}`));
  return `* ID ${body}${CRLF}`;
}

/** RFC 2342: the personal namespaces (prefix, delimiter); no other users', no shared ones. */
export function namespaceResponse(personal: ReadonlyArray<readonly [string, string]>): string {
  const ns = personal.map(([prefix, delim]) => `(${quoted(prefix)} ${quoted(delim)})`).join("");
  return `* NAMESPACE (${ns}) NIL NIL${CRLF}`;
}

/** `* LIST (attrs) "/" name` (or LSUB; names in UTF-8 when `utf8`), with LIST-EXTENDED's CHILDINFO when given. */
export function listResponse(
  kind: "LIST" | "LSUB" | "XLIST", attrs: readonly string[], delimiter: string, name: string,
  childInfo?: readonly string[], utf8 = false,
): string {
  const extended = childInfo ? ` ("CHILDINFO" ${list(childInfo.map((c) => quoted(c)))})` : "";
  return listLine(kind, attrs, delimiter, name, extended, utf8);
}

/** RFC 5465 §5.4: a renamed mailbox's LIST, its old name in LIST-EXTENDED's OLDNAME item. */
export function renamedListResponse(
  attrs: readonly string[], delimiter: string, name: string, oldName: string, utf8 = false,
): string {
  return listLine("LIST", attrs, delimiter, name, ` ("OLDNAME" (${mailboxName(oldName, utf8)}))`, utf8);
}

function listLine(kind: "LIST" | "LSUB" | "XLIST", attrs: readonly string[], delimiter: string, name: string, extended: string,
  utf8: boolean): string {
  const shown = name === "" ? '""' : mailboxName(name, utf8);
  return `* ${kind} ${list(attrs)} ${quoted(delimiter)} ${shown}${extended}${CRLF}`;
}

/** RFC 5464 §4.4.1: `* METADATA mailbox (entry value ...)`, mailbox "" for the server; a value
 *  is NIL, a string, or a literal8 when it holds a NUL (`value = nstring / literal8`). */
export function metadataResponse(
  name: string, entries: ReadonlyArray<readonly [string, Buffer | null]>, utf8 = false,
): Buffer {
  const parts: Buffer[] = [Buffer.from(`* METADATA ${name === "" ? '""' : mailboxName(name, utf8)} (`, "utf8")];
  entries.forEach(([entry, value], i) => {
    parts.push(Buffer.from(i > 0 ? " " : "", "latin1"), astring(entry), Buffer.from(" ", "latin1"));
    if (value !== null && value.includes(0)) parts.push(Buffer.from(`~{${value.length}}${CRLF}`, "latin1"), value);
    else parts.push(encodeData(value));
  });
  parts.push(Buffer.from(`)${CRLF}`, "latin1"));
  return Buffer.concat(parts);
}

/** RFC 5464 §4.4.2: `* METADATA mailbox entry ...`, the names of changed entries, no values. */
export function metadataChangeResponse(name: string, entries: readonly string[], utf8 = false): string {
  const shown = name === "" ? '""' : mailboxName(name, utf8);
  return `* METADATA ${shown}${entries.map((e) => " " + astring(e).toString("latin1")).join("")}${CRLF}`;
}

/** `* STATUS name (ITEM n ...)`; a null value is NIL. */
/** A value is a number, NIL, or wire text as it is (MAILBOXID's parenthesised objectid). */
export function statusResponse(name: string, items: ReadonlyArray<readonly [string, number | string | null]>, utf8 = false): string {
  const parts = items.map(([item, v]) => `${item} ${v ?? "NIL"}`);
  return `* STATUS ${mailboxName(name, utf8)} ${list(parts)}${CRLF}`;
}

/** RFC 9208 §4.2.1: `* QUOTA root (RESOURCE usage limit ...)`; only the limited resources. */
export function quotaResponse(root: string, resources: ReadonlyArray<readonly [string, number, number]>): string {
  return `* QUOTA ${astring(root).toString("latin1")} ${list(resources.map((r) => r.join(" ")))}${CRLF}`;
}

/** RFC 9208 §4.2.2: `* QUOTAROOT mailbox root ...`. */
export function quotarootResponse(name: string, roots: readonly string[], utf8 = false): string {
  return `* QUOTAROOT ${mailboxName(name, utf8)}${roots.map((r) => " " + astring(r).toString("latin1")).join("")}${CRLF}`;
}

export function flagsResponse(flags: readonly string[]): string {
  return `* FLAGS ${list(flags)}${CRLF}`;
}

export const existsResponse = (n: number): string => `* ${n} EXISTS${CRLF}`;
export const recentResponse = (n: number): string => `* ${n} RECENT${CRLF}`;
export const expungeResponse = (seq: number): string => `* ${seq} EXPUNGE${CRLF}`;

/** RFC 7162 §3.2.10: UIDs gone, in place of EXPUNGE responses; EARLIER when resynchronising. */
export function vanishedResponse(uids: readonly number[], earlier = false): string {
  return `* VANISHED ${earlier ? "(EARLIER) " : ""}${compressSet(uids)}${CRLF}`;
}

/** `* SEARCH n ...`, with the highest MODSEQ of the found messages when asked (RFC 7162 §3.1.5). */
export function searchResponse(nums: readonly number[], modseq?: number): string {
  const found = nums.map((n) => " " + n).join("");
  return `* SEARCH${found}${nums.length && modseq !== undefined ? ` (MODSEQ ${modseq})` : ""}${CRLF}`;
}

/** One piece of ESEARCH data (RFC 4731, RFC 5267): a number, a set of numbers in the requested
 *  order (SORT's order for ESORT, so `3:4,2`), PARTIAL's range and its results, or the
 *  (context position, numbers) pairs of an update. */
export type EsearchItem =
  | readonly ["MIN" | "MAX" | "COUNT" | "MODSEQ", number]
  | readonly ["ALL", readonly number[]]
  | readonly ["PARTIAL", readonly [number, number], readonly number[]]
  | readonly ["ADDTO" | "REMOVEFROM", ReadonlyArray<readonly [number, readonly number[]]>];

/** `* ESEARCH (TAG "A1") UID MIN 1 ...` (RFC 4731 §3.1). */
export function esearchResponse(tag: string, uid: boolean, items: readonly EsearchItem[]): string {
  let text = `* ESEARCH (TAG ${quoted(tag)})${uid ? " UID" : ""}`;
  for (const item of items) {
    switch (item[0]) {
      case "ALL": text += ` ALL ${orderedSet(item[1])}`; break;
      case "PARTIAL": text += ` PARTIAL (${item[1][0]}:${item[1][1]} ${item[2].length ? orderedSet(item[2]) : "NIL"})`; break;
      case "ADDTO": case "REMOVEFROM":
        text += ` ${item[0]} (${item[1].map(([pos, nums]) => `${pos} ${orderedSet(nums)}`).join(" ")})`;
        break;
      default: text += ` ${item[0]} ${item[1]}`;
    }
  }
  return text + CRLF;
}

/** `* SORT n ...` (RFC 5256). */
export function sortResponse(nums: readonly number[]): string {
  return `* SORT${nums.map((n) => " " + n).join("")}${CRLF}`;
}

/** A thread as RFC 5256 §4 writes it: a message number (or a dummy, null) and its children. */
export interface ThreadTree {
  num: number | null;
  children: readonly ThreadTree[];
}

/** `* THREAD (1 2)(3 (4)(5))`: a chain of only children is one list, branches nested lists. */
export function threadResponse(threads: readonly ThreadTree[]): string {
  const members = (n: ThreadTree): string => {
    const parts: string[] = [];
    let cur: ThreadTree = n;
    for (;;) {
      // a dummy is written as nothing: its children follow as a nested list
      if (cur.num !== null) parts.push(String(cur.num));
      if (cur.children.length === 1) {
        cur = cur.children[0];
        continue;
      }
      if (cur.children.length > 1) parts.push(cur.children.map((k) => `(${members(k)})`).join(""));
      break;
    }
    return parts.join(" ");
  };
  const text = threads.map((t) => `(${members(t)})`).join("");
  return `* THREAD${text ? " " + text : ""}${CRLF}`;
}

// the flag FETCH lines (STORE's answers, updates) are FETCH responses: written by FETCH's writer
export { fetchItemsResponse, flagsFetchItems, modseqFetchItems } from "./fetch-response.js";
