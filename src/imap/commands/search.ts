// SEARCH / UID SEARCH (RFC 3501 §6.4.4): flags, dates and sizes from the store's records;
// message files are read only for keys that look at headers or text. RETURN (...) answers
// ESEARCH (RFC 4731; PARTIAL of RFC 5267); UPDATE keeps a context the session tells of changes.
import type { SelectedContext } from "../context.js";
import type { SearchKey, SearchReturn, SequenceSet } from "../../protocol/ast.js";
import type { MimeIndex } from "../../message/model.js";
import type { MessageRecord } from "../../store/contract.js";
import type { MailboxView } from "../view.js";
import { ok, no, bad, type Result, type CommandOf } from "../result.js";
import { headerFields, type HeaderField } from "../search/header-values.js";
import { addressText, fieldLine, headerText, subjectText } from "../search/search-text.js";
import { parseDateAsWritten } from "../../message/date.js";
import { bodyMatches, bodyNeedle, type BodyNeedle } from "../search/body-match.js";
import { esearchLine, returnConflict, savedUids } from "../search/esearch.js";
import { pinSequences, type UpdateContext } from "../search/update-contexts.js";
import { enableCondstore } from "../condstore.js";
import { messageCache } from "../message-cache.js";
import { codes, searchResponse, untaggedStatus } from "../../protocol/responses.js";
import { ftsOf } from "../fts/fts-registry.js";
import type { FtsAnswer } from "../fts/fts-index.js";
import { emailId, threadId } from "../object-ids.js";
import { TimeSlice } from "../time-slice.js";

const CHARSETS = ["UTF-8", "US-ASCII"];
const DAY = 86_400_000;

const unknown = (): undefined => undefined;

/** Everything a key may ask about one message; the expensive parts load on demand. */
class Candidate {
  private idx?: Promise<MimeIndex>;
  private file?: Promise<Buffer>;
  constructor(readonly view: MailboxView, readonly rec: MessageRecord, readonly seq: number,
    /** the full-text index's answer to a key for this message, when it has one */
    readonly known: FtsAnswer["known"] = unknown) {}
  index(): Promise<MimeIndex> {
    return (this.idx ??= messageCache.index(this.view.mailbox, this.rec.uid));
  }
  bytes(): Promise<Buffer> {
    return (this.file ??= this.view.mailbox.readMessage(this.rec.uid));
  }
  /** The top-level header fields (all, or only those named `only`, lower-case). */
  async headers(only?: string): Promise<HeaderField[]> {
    const i = await this.index();
    // the header block alone (cached), not the whole file
    const head = this.file ? await this.file : messageCache.head(this.view.mailbox, this.rec.uid, i);
    return headerFields(head.subarray(i.root.headerStart, i.root.headerEnd), only);
  }
  /** The decoded values of the top-level fields named `name` (lower-case), lower-cased: kept
   *  with the message, so a repeated SEARCH FROM/TO/SUBJECT does not decode them again. */
  async lowerValues(name: string): Promise<string[]> {
    return this.derivedValues(name, "search-values", headerText, textSize);
  }
  /** The Subject fields with each run of white space made one space before decoding, as
   *  Dovecot compares them (a folded or double-spaced subject is found by its words). */
  async lowerSubjects(): Promise<string[]> {
    return this.derivedValues("subject", "search-subject", subjectText, textSize);
  }
  /** The address fields named `name`, each as its address list written back (what FROM/TO/
   *  CC/BCC search, as Dovecot does), decoded and lower-cased; kept like lowerValues. */
  async lowerAddresses(name: string): Promise<string[]> {
    return this.derivedValues(name, "search-addresses", addressText, textSize);
  }
  /** The first Date field's date and time as written, in its own zone (as UTC ms), or null. */
  async sentAsWritten(): Promise<number | null> {
    const [first] = await this.derivedValues("date", "search-sent", parseDateAsWritten, (vs) => 40 + 16 * vs.length);
    return first ?? null;
  }
  /** `map` of the raw values of the top-level fields named `name`, computed once per message. */
  private async derivedValues<T>(name: string, kind: string, map: (raw: string) => T, size: (vs: T[]) => number): Promise<T[]> {
    return messageCache.derivedFromHead(this.view.mailbox, this.rec.uid, `${kind}\0${name}`,
      (head, i) => headerFields(head.subarray(i.root.headerStart, i.root.headerEnd), name, true).map((h) => map(h.value)),
      size);
  }
}

const textSize = (vs: string[]) => vs.reduce((n, v) => n + 2 * v.length + 40, 0);

function inSet(n: number, set: SequenceSet, star: number): boolean {
  if (set.kind !== "set") return false;
  return set.ranges.some((r) => {
    const a = r.start === "*" ? star : r.start;
    const b = r.end === "*" ? star : r.end;
    return n >= Math.min(a, b) && n <= Math.max(a, b);
  });
}

const day = (ms: number) => Math.floor(ms / DAY) * DAY;
const has = (c: Candidate, f: string) => c.rec.flags.includes(f);

/** BODY/TEXT needles prepared once per key, not once per message. */
const needles = new WeakMap<SearchKey, BodyNeedle>();

async function matches(c: Candidate, key: SearchKey, star: { seq: number; uid: number }): Promise<boolean> {
  const known = c.known(key, c.rec);
  if (known !== undefined) return known;
  switch (key.kind) {
    case "ALL": return true;
    case "ANSWERED": return has(c, "\\Answered");
    case "DELETED": return has(c, "\\Deleted");
    case "DRAFT": return has(c, "\\Draft");
    case "FLAGGED": return has(c, "\\Flagged");
    case "SEEN": return has(c, "\\Seen");
    case "UNANSWERED": return !has(c, "\\Answered");
    case "UNDELETED": return !has(c, "\\Deleted");
    case "UNDRAFT": return !has(c, "\\Draft");
    case "UNFLAGGED": return !has(c, "\\Flagged");
    case "UNSEEN": return !has(c, "\\Seen");
    case "RECENT": return c.view.isRecent(c.rec.uid);
    case "OLD": return !c.view.isRecent(c.rec.uid);
    case "NEW": return c.view.isRecent(c.rec.uid) && !has(c, "\\Seen");
    case "KEYWORD": return has(c, key.flag);
    case "UNKEYWORD": return !has(c, key.flag);
    case "LARGER": return c.rec.size > key.size;
    case "SMALLER": return c.rec.size < key.size;
    case "BEFORE": return day(c.rec.internalDate.getTime()) < key.date.getTime();
    case "ON": return day(c.rec.internalDate.getTime()) === key.date.getTime();
    case "SINCE": return day(c.rec.internalDate.getTime()) >= key.date.getTime();
    case "SENTBEFORE": case "SENTON": case "SENTSINCE": {
      // the first Date field, as Dovecot's SEARCH takes it (ENVELOPE shows the last)
      const sent = await c.sentAsWritten();
      if (sent === null) return false;
      const d = day(sent);
      const k = key.date.getTime();
      return key.kind === "SENTBEFORE" ? d < k : key.kind === "SENTON" ? d === k : d >= k;
    }
    case "SAVEDBEFORE": case "SAVEDON": case "SAVEDSINCE": {
      const saved = c.view.mailbox.savedDate(c.rec.uid);
      if (saved === null) return false;
      const d = day(saved);
      const k = key.date.getTime();
      return key.kind === "SAVEDBEFORE" ? d < k : key.kind === "SAVEDON" ? d === k : d >= k;
    }
    case "SAVEDATESUPPORTED": return true;
    case "EMAILID": return emailId(await c.index()) === key.id;
    case "THREADID": return threadId(await c.index()) === key.id;
    case "YOUNGER": return Date.now() - c.rec.internalDate.getTime() <= key.seconds * 1000;
    case "OLDER": return Date.now() - c.rec.internalDate.getTime() > key.seconds * 1000;
    case "MODSEQ": return c.rec.modseq >= key.modseq;
    case "UID": return inSet(c.rec.uid, key.set, star.uid);
    case "SEQ": return inSet(c.seq, key.set, star.seq);
    case "NOT": return !(await matches(c, key.key, star));
    case "OR": return (await matches(c, key.left, star)) || (await matches(c, key.right, star));
    case "AND":
      for (const k of key.keys) if (!(await matches(c, k, star))) return false;
      return true;
    case "BCC": case "CC": case "FROM": case "SUBJECT": case "TO": case "HEADER": {
      const field = key.kind === "HEADER" ? key.field.toLowerCase() : key.kind.toLowerCase();
      const needle = key.value.toString("utf8").toLowerCase();
      // HEADER looks in the field's text as it is, even for an address field (as Dovecot does)
      const values = key.kind === "HEADER" ? await c.lowerValues(field)
        : key.kind === "SUBJECT" ? await c.lowerSubjects() : await c.lowerAddresses(field);
      // RFC 3501: HEADER with an empty string matches every message that has the field
      return values.some((v) => needle === "" || v.includes(needle));
    }
    case "BODY": case "TEXT": {
      let body = needles.get(key);
      if (!body) needles.set(key, (body = bodyNeedle(key.value.toString("utf8").toLowerCase())));
      const needle = body.text;
      const [i, f] = await Promise.all([c.index(), c.bytes()]);
      if (bodyMatches(i, f, body)) return true;
      if (key.kind === "BODY") return false;
      if (!body.headers.mayHold(f.subarray(i.root.headerStart, i.root.headerEnd))) return false;
      return (await c.headers()).some((h) => fieldLine(h).includes(needle));
    }
  }
}

export function hasModseq(k: SearchKey): boolean {
  switch (k.kind) {
    case "MODSEQ": return true;
    case "NOT": return hasModseq(k.key);
    case "OR": return hasModseq(k.left) || hasModseq(k.right);
    case "AND": return k.keys.some(hasModseq);
    default: return false;
  }
}

/** How many messages are tested at once: their index lookups and file reads overlap. */
const CONCURRENT = 8;

type Star = { seq: number; uid: number };
const starOf = (uids: readonly number[]): Star => ({ seq: uids.length, uid: uids.length ? uids[uids.length - 1] : 0 });

async function candidateMatches(c: Candidate, keys: readonly SearchKey[], star: Star): Promise<boolean> {
  for (const k of keys) {
    try {
      if (!(await matches(c, k, star))) return false;
    } catch (e) {
      // the file went away under us (another session's EXPUNGE, nmh's rmm): not a match;
      // the expunge is announced later, the SEARCH itself does not fail
      const code = (e as { code?: string }).code;
      if (code === "ENOENT" || code === "EXPUNGEISSUED") return false;
      throw e;
    }
  }
  return true;
}

/** Whether one message of the view matches every key now (an UPDATE context's re-test). */
export async function messageMatches(view: MailboxView, uid: number, keys: readonly SearchKey[]): Promise<boolean> {
  const rec = view.record(uid);
  const seq = view.seqOf(uid);
  if (!rec || !seq) return false;
  return candidateMatches(new Candidate(view, rec, seq), keys, starOf(view.allUids()));
}

/** Messages of the view matching every key, in sequence order. */
export async function runSearch(view: MailboxView, keys: SearchKey[]): Promise<MessageRecord[]> {
  const uids = view.allUids();
  const star = starOf(uids);
  const test = async (c: Candidate): Promise<MessageRecord | null> => ((await candidateMatches(c, keys, star)) ? c.rec : null);
  const out: MessageRecord[] = [];
  const batch: Array<Promise<MessageRecord | null>> = [];
  // the full-text index, if it can tell, leaves out messages that cannot match and answers the
  // needle keys it holds the very text of (the rest are tested)
  const fts = ftsOf(view.mailbox)?.narrowing(view.mailbox, keys) ?? null;
  const only = fts?.candidates ?? null;
  const slice = new TimeSlice();
  for (let i = 0; i < uids.length; i++) {
    if (only && !only.has(uids[i])) continue;
    const rec = view.record(uids[i]);
    if (!rec) continue; // expunged elsewhere, not yet announced
    batch.push(test(new Candidate(view, rec, i + 1, fts?.known)));
    if (batch.length === CONCURRENT || i === uids.length - 1) {
      // settled in order, so the result stays in sequence order
      for (const r of await Promise.all(batch)) if (r) out.push(r);
      batch.length = 0;
      // messages the index answers read no file, and so never wait: let the others in
      if (slice.due()) await slice.next();
    }
  }
  for (const r of await Promise.all(batch)) if (r) out.push(r);
  return out;
}

/** Why a searching command's RETURN options are refused (BAD), or null: PARTIAL with ALL or a
 *  second PARTIAL (RFC 5267 §4.4), UPDATE under a tag that already has a context (§4.3). */
export function returnRefused(s: SelectedContext, tag: string, ret: readonly SearchReturn[] | undefined): Result | null {
  const conflict = ret ? returnConflict(ret) : null;
  if (conflict) return bad(conflict);
  if (ret?.includes("UPDATE") && s.updates.has(tag)) return bad(`Tag reuse: ${tag} already has an UPDATE context.`);
  return null;
}

/** Keeps an UPDATE context for the command, or says NOUPDATE when the session holds too many. */
export async function startUpdates(s: SelectedContext, ctx: UpdateContext): Promise<void> {
  if (!s.updates.add(ctx)) await s.send(untaggedStatus("NO", "Too many UPDATE contexts, or too many results held.", codes.noUpdate(ctx.tag)));
}

export async function search(s: SelectedContext, cmd: CommandOf<"SEARCH">): Promise<Result> {
  const saving = cmd.return?.includes("SAVE") ?? false;
  const refused = returnRefused(s, cmd.tag, cmd.return);
  if (refused) return refused;
  // RFC 5182 §2.1: a failed SEARCH ... SAVE leaves the saved result empty
  if (saving) s.saved = [];
  // RFC 6855 §3: after ENABLE UTF8=ACCEPT the strings are UTF-8; a charset label conflicts
  if (cmd.charset && s.enabled.has("UTF8=ACCEPT")) return bad("No CHARSET after ENABLE UTF8=ACCEPT: search strings are UTF-8.");
  if (cmd.charset && !CHARSETS.includes(cmd.charset.toUpperCase())) {
    return no(`Unsupported charset ${cmd.charset}.`, codes.badCharset(CHARSETS));
  }
  const view = s.view;
  const usesModseq = cmd.keys.some(hasModseq);
  if (usesModseq) await enableCondstore(s);
  const updating = cmd.return?.includes("UPDATE") ?? false;
  const keys = updating ? pinSequences(view, cmd.keys) : cmd.keys;
  const found = await runSearch(view, keys);
  const num = (r: MessageRecord) => (cmd.uid ? r.uid : view.seqOf(r.uid));
  // IMAP4rev2 answers every SEARCH with ESEARCH, a plain one as RETURN () = ALL (RFC 9051 §6.4.4)
  const ret = cmd.return ?? (s.rev2 ? [] : undefined);
  if (ret) {
    if (saving) s.saved = savedUids(ret, found);
    const line = esearchLine(cmd.tag, cmd.uid, ret, { recs: found, num }, usesModseq);
    if (line) await s.send(line);
    if (updating) {
      await startUpdates(s, {
        tag: cmd.tag, uid: cmd.uid, members: found.map((r) => r.uid), order: null,
        matches: (uid) => messageMatches(view, uid, keys),
      });
    }
    return ok("Search completed.");
  }
  const nums = found.map(num);
  // with the MODSEQ key, the highest MODSEQ of the found messages follows (RFC 7162 §3.1.5)
  await s.send(searchResponse(nums, usesModseq ? Math.max(...found.map((r) => r.modseq)) : undefined));
  return ok("Search completed.");
}
