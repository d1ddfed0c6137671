// fast-check generators for every kind of Command (as the parser should return it).

import fc from "fast-check";
import type {
  Command, CommandBody, FetchAtt, SearchKey, SearchReturn, SequenceSet, Section, StatusItem, Flag,
} from "../../src/protocol/ast.js";

const MAX32 = 4294967295;
const ATOM_CHARS = [..."!#$&'+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[^_`abcdefghijklmnopqrstuvwxyz|}~"];

export const atom = fc.string({ unit: fc.constantFrom(...ATOM_CHARS), minLength: 1, maxLength: 12 });
const upperAtom = atom.map((s) => s.toUpperCase());
const nz32 = fc.oneof(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 1, max: MAX32 }));
const num32 = fc.oneof(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: MAX32 }));
const modseq = fc.oneof(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }));
/** any Unicode text (no lone surrogates: astrings are UTF-8 on the wire) */
export const text = fc.string({ unit: "binary", maxLength: 16 });
const bytes = fc.uint8Array({ maxLength: 24 }).map((a) => Buffer.from(a));
/** mailbox names: any UTF-16 (mUTF-7 carries it), INBOX in its canonical spelling only */
export const mailboxName = fc.oneof(
  fc.constant("INBOX"),
  fc.string({ unit: "binary-ascii", maxLength: 12 }),
  fc.string({ unit: "grapheme", maxLength: 8 }),
).filter((s) => s === "INBOX" || s.toUpperCase() !== "INBOX");
const tag = fc.string({ unit: fc.constantFrom(...ATOM_CHARS.filter((c) => c !== "+"), "]"), minLength: 1, maxLength: 8 });

const seqNumber = fc.oneof(nz32, fc.constant("*" as const));
export const sequenceSet: fc.Arbitrary<SequenceSet> = fc.oneof(
  { weight: 1, arbitrary: fc.constant({ kind: "saved" as const }) },
  {
    weight: 6,
    arbitrary: fc.array(
      fc.oneof(seqNumber.map((n) => ({ start: n, end: n })), fc.record({ start: seqNumber, end: seqNumber })),
      { minLength: 1, maxLength: 4 },
    ).map((ranges) => ({ kind: "set" as const, ranges })),
  },
);
const numericSet: fc.Arbitrary<SequenceSet> = sequenceSet.filter((s) => s.kind === "set");

const systemFlag = fc.constantFrom("\\Seen", "\\Answered", "\\Flagged", "\\Deleted", "\\Draft");
export const flag: fc.Arbitrary<Flag> = fc.oneof(
  systemFlag,
  atom,
  atom.filter((a) => !/^(SEEN|ANSWERED|FLAGGED|DELETED|DRAFT|RECENT)$/i.test(a)).map((a) => "\\" + a),
);
const flags = fc.array(flag, { maxLength: 4 });

const statusItem = fc.constantFrom<StatusItem>(
  "MESSAGES", "RECENT", "UIDNEXT", "UIDVALIDITY", "UNSEEN", "HIGHESTMODSEQ", "SIZE", "APPENDLIMIT", "DELETED",
);
const statusItems = fc.array(statusItem, { minLength: 1, maxLength: 5 });

const dayDate = fc.date({ min: new Date(Date.UTC(1970, 0, 1)), max: new Date(Date.UTC(2099, 11, 31)), noInvalidDate: true })
  .map((d) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate())));
const secondDate = fc.date({ min: new Date(Date.UTC(1971, 0, 1)), max: new Date(Date.UTC(2098, 11, 31)), noInvalidDate: true })
  .map((d) => new Date(Math.floor(d.getTime() / 1000) * 1000));

const partial = fc.record({ offset: num32, length: nz32 });
/** CATENATE's parts (RFC 4469): the URL is any string, the grammar does not read it */
const catenatePart = fc.oneof(
  fc.record({ kind: fc.constant("TEXT" as const), data: bytes, binary: fc.boolean() }),
  fc.record({ kind: fc.constant("URL" as const), url: text }),
);
const part = fc.array(fc.integer({ min: 1, max: 30 }), { maxLength: 3 });
const headerName = fc.oneof(atom, text.filter((s) => s.length > 0));
const section: fc.Arbitrary<Section> = fc.oneof(
  part.map((p) => ({ part: p })),
  fc.record({ part, text: fc.constantFrom("HEADER" as const, "TEXT" as const) }),
  fc.record({ part, text: fc.constantFrom("HEADER.FIELDS" as const, "HEADER.FIELDS.NOT" as const), fields: fc.array(headerName, { minLength: 1, maxLength: 3 }) }),
  fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 1, maxLength: 3 }).map((p) => ({ part: p, text: "MIME" as const })),
);
const withPartial = <T extends object>(a: fc.Arbitrary<T>) =>
  fc.tuple(a, fc.option(partial, { nil: undefined })).map(([x, p]) => (p === undefined ? x : { ...x, partial: p }));

export const fetchAtt: fc.Arbitrary<FetchAtt> = fc.oneof(
  fc.constantFrom<FetchAtt>(
    { kind: "ENVELOPE" }, { kind: "FLAGS" }, { kind: "INTERNALDATE" }, { kind: "RFC822" }, { kind: "RFC822.HEADER" },
    { kind: "RFC822.SIZE" }, { kind: "RFC822.TEXT" }, { kind: "UID" }, { kind: "BODYSTRUCTURE" }, { kind: "BODY" },
    { kind: "MODSEQ" },
  ),
  withPartial(fc.record({ kind: fc.constant("BODY[]" as const), peek: fc.boolean(), section })),
  withPartial(fc.record({ kind: fc.constant("BINARY[]" as const), peek: fc.boolean(), part })),
  fc.record({ kind: fc.constant("BINARY.SIZE" as const), part }),
);

const entryName = fc.string({ unit: fc.constantFrom(..."/flags\\seenABC$ \"x"), minLength: 1, maxLength: 12 });

export const searchKey: fc.Arbitrary<SearchKey> = fc.letrec<{ key: SearchKey }>((tie) => ({
  key: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constantFrom<SearchKey>(
      ...["ALL", "ANSWERED", "DELETED", "DRAFT", "FLAGGED", "NEW", "OLD", "RECENT", "SEEN", "UNANSWERED",
        "UNDELETED", "UNDRAFT", "UNFLAGGED", "UNSEEN"].map((k) => ({ kind: k }) as SearchKey),
    ),
    fc.record({ kind: fc.constantFrom("KEYWORD" as const, "UNKEYWORD" as const), flag: atom }),
    fc.record({ kind: fc.constantFrom("BCC" as const, "BODY" as const, "CC" as const, "FROM" as const, "SUBJECT" as const, "TEXT" as const, "TO" as const), value: bytes }),
    fc.record({ kind: fc.constant("HEADER" as const), field: headerName, value: bytes }),
    fc.record({ kind: fc.constantFrom("BEFORE" as const, "ON" as const, "SINCE" as const, "SENTBEFORE" as const, "SENTON" as const, "SENTSINCE" as const), date: dayDate }),
    fc.record({ kind: fc.constantFrom("LARGER" as const, "SMALLER" as const), size: num32 }),
    fc.record({ kind: fc.constantFrom("YOUNGER" as const, "OLDER" as const), seconds: nz32 }),
    fc.record({ kind: fc.constantFrom("UID" as const, "SEQ" as const), set: sequenceSet }),
    fc.record({ kind: fc.constant("MODSEQ" as const), modseq: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }) }),
    fc.record({ kind: fc.constant("MODSEQ" as const), modseq: modseq, entry: fc.record({ name: entryName, type: fc.constantFrom("priv" as const, "shared" as const, "all" as const) }) }),
    fc.record({ kind: fc.constant("NOT" as const), key: tie("key") }),
    fc.record({ kind: fc.constant("OR" as const), left: tie("key"), right: tie("key") }),
    fc.record({ kind: fc.constant("AND" as const), keys: fc.array(tie("key"), { minLength: 1, maxLength: 3 }) }),
  ),
})).key;
const searchKeys = fc.array(searchKey, { minLength: 1, maxLength: 3 });
// RFC 4731/5182 options, RFC 5267's CONTEXT and UPDATE, and PARTIAL low:high (never with ALL)
const returnPartial = fc.tuple(fc.integer({ min: 1, max: MAX32 }), fc.integer({ min: 1, max: MAX32 }))
  .map(([a, b]): SearchReturn => ({ partial: a <= b ? [a, b] : [b, a] }));
const searchReturn = fc.option(
  fc.tuple(fc.subarray(["MIN", "MAX", "COUNT", "ALL", "SAVE", "CONTEXT", "UPDATE"] as const), fc.option(returnPartial, { nil: undefined }))
    .map(([a, p]): SearchReturn[] => (p && !a.includes("ALL") ? [...a, p] : [...a])),
  { nil: undefined });
const charset = fc.oneof(fc.constantFrom("UTF-8", "US-ASCII", "ISO-8859-1"), text);

const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
function clean<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

/** RFC 5464 entry names as the parser gives them: lower case, a scope, then names (with `set`, one at least) */
const metadataEntry = (set: boolean) => fc.tuple(
  fc.constantFrom("/private", "/shared"),
  fc.array(fc.string({ unit: fc.constantFrom(..."abcz09.-_ \"\\"), minLength: 1, maxLength: 6 }), { minLength: set ? 1 : 0, maxLength: 3 }),
).map(([scope, names]) => [scope, ...names].join("/"));
const metadataMailbox = fc.oneof(fc.constant(""), mailboxName);

const body: fc.Arbitrary<CommandBody> = fc.oneof(
  fc.constantFrom<CommandBody>(
    { name: "CAPABILITY" }, { name: "NOOP" }, { name: "LOGOUT" }, { name: "STARTTLS" }, { name: "NAMESPACE" },
    { name: "IDLE" }, { name: "CHECK" }, { name: "CLOSE" }, { name: "UNSELECT" }, { name: "EXPUNGE", uid: false },
  ),
  // an ID field is at most 30 octets (RFC 2971): 16 characters of up to 4 UTF-8 octets may not be
  fc.record({ name: fc.constant("ID" as const), params: fc.option(fc.array(fc.tuple(
    text.filter((k) => Buffer.byteLength(k) <= 30), fc.option(text, { nil: null })), { maxLength: 3 }), { nil: null }) }),
  fc.record({ name: fc.constant("AUTHENTICATE" as const), mechanism: upperAtom, initialResponse: opt(fc.oneof(fc.constant(""), fc.base64String({ minLength: 4 }))) }).map(clean),
  fc.record({ name: fc.constant("LOGIN" as const), userid: text, password: text }),
  fc.record({ name: fc.constant("COMPRESS" as const), mechanism: fc.oneof(fc.constant("DEFLATE"), upperAtom) }),
  fc.record({ name: fc.constant("ENABLE" as const), capabilities: fc.array(upperAtom, { minLength: 1, maxLength: 3 }) }),
  fc.record({
    name: fc.constantFrom("SELECT" as const, "EXAMINE" as const), mailbox: mailboxName, condstore: fc.boolean(),
    qresync: opt(fc.record({
      uidValidity: nz32, modseq,
      knownUids: opt(numericSet), seqMatch: opt(fc.record({ seqs: numericSet, uids: numericSet })),
    }).map(clean)),
  }).map(clean),
  fc.record({ name: fc.constant("CREATE" as const), mailbox: mailboxName, specialUse: opt(fc.array(flag, { maxLength: 2 })) }).map(clean),
  fc.record({ name: fc.constantFrom("DELETE" as const, "SUBSCRIBE" as const, "UNSUBSCRIBE" as const), mailbox: mailboxName }),
  fc.record({ name: fc.constant("RENAME" as const), from: mailboxName, to: mailboxName }),
  fc.oneof(
    fc.record({ reference: mailboxName, pattern: mailboxName }).map(({ reference, pattern }) => ({
      name: "LIST" as const, selection: [], reference, patterns: [pattern], extended: false,
      returnOpts: { subscribed: false, children: false, specialUse: false },
    })),
    fc.record({
      name: fc.constant("LIST" as const),
      selection: fc.subarray(["SUBSCRIBED", "REMOTE", "RECURSIVEMATCH", "SPECIAL-USE"]).filter((s) => !(s.length === 1 && s[0] === "RECURSIVEMATCH")),
      reference: mailboxName, patterns: fc.array(mailboxName, { minLength: 1, maxLength: 3 }), extended: fc.constant(true),
      returnOpts: fc.record({ subscribed: fc.boolean(), children: fc.boolean(), specialUse: fc.boolean(), status: opt(statusItems) }).map(clean),
    }),
  ),
  fc.record({ name: fc.constant("LSUB" as const), reference: mailboxName, pattern: mailboxName }),
  fc.record({ reference: mailboxName, pattern: mailboxName }).map(({ reference, pattern }) => ({
    name: "XLIST" as const, selection: [], reference, patterns: [pattern], extended: false,
    returnOpts: { subscribed: false, children: false, specialUse: false },
  })),
  fc.record({
    name: fc.constant("GETMETADATA" as const), mailbox: metadataMailbox, maxSize: opt(num32),
    depth: fc.constantFrom(0 as const, 1 as const, "infinity" as const), entries: fc.array(metadataEntry(false), { minLength: 1, maxLength: 3 }),
  }).map(clean),
  fc.record({
    name: fc.constant("SETMETADATA" as const), mailbox: metadataMailbox,
    entries: fc.array(fc.tuple(metadataEntry(true), fc.option(bytes, { nil: null })), { minLength: 1, maxLength: 3 }),
  }),
  fc.record({ name: fc.constant("STATUS" as const), mailbox: mailboxName, items: statusItems }),
  fc.record({
    name: fc.constant("APPEND" as const), mailbox: mailboxName,
    messages: fc.array(fc.oneof(
      fc.record({ flags, date: opt(secondDate), data: bytes, binary: fc.boolean() }).map(clean),
      fc.record({ flags, date: opt(secondDate), catenate: fc.array(catenatePart, { minLength: 1, maxLength: 3 }) }).map(clean),
    ), { minLength: 1, maxLength: 3 }),
  }),
  fc.record({ name: fc.constant("EXPUNGE" as const), uid: fc.constant(true as const), set: sequenceSet }),
  fc.record({ name: fc.constant("SEARCH" as const), uid: fc.boolean(), charset: opt(charset), keys: searchKeys, return: searchReturn }).map(clean),
  fc.record({ uid: fc.boolean(), set: sequenceSet, atts: fc.array(fetchAtt, { minLength: 1, maxLength: 4 }), changedSince: opt(modseq), vanished: fc.boolean() })
    .map(({ uid, set, atts, changedSince, vanished }) => clean({
      name: "FETCH" as const, uid, set, atts, changedSince, vanished: vanished && uid && changedSince !== undefined,
    })),
  fc.record({
    name: fc.constant("STORE" as const), uid: fc.boolean(), set: sequenceSet, op: fc.constantFrom("replace" as const, "add" as const, "remove" as const),
    silent: fc.boolean(), flags, unchangedSince: opt(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER })),
  }).map(clean),
  fc.record({ name: fc.constantFrom("COPY" as const, "MOVE" as const), uid: fc.boolean(), set: sequenceSet, mailbox: mailboxName }),
  fc.record({
    name: fc.constant("SORT" as const), uid: fc.boolean(),
    criteria: fc.array(fc.record({ key: fc.constantFrom("ARRIVAL" as const, "CC" as const, "DATE" as const, "FROM" as const, "SIZE" as const, "SUBJECT" as const, "TO" as const, "DISPLAYFROM" as const, "DISPLAYTO" as const), reverse: fc.boolean() }), { minLength: 1, maxLength: 3 }),
    charset, keys: searchKeys, return: searchReturn,
  }).map(clean),
  fc.record({ name: fc.constant("THREAD" as const), uid: fc.boolean(), algorithm: fc.constantFrom("ORDEREDSUBJECT" as const, "REFERENCES" as const, "REFS" as const), charset, keys: searchKeys }),
  // the tags of earlier commands, quoted (RFC 5267 §4.3.5)
  fc.record({ name: fc.constant("CANCELUPDATE" as const), tags: fc.array(tag, { minLength: 1, maxLength: 3 }) }),
);

export const command: fc.Arbitrary<Command> = fc.tuple(tag, body).map(([t, b]) => ({ ...b, tag: t }) as Command);
