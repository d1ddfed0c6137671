// The typed AST of every client command: what the generated parser (grammar/imap.peggy)
// returns. One discriminated union, `Command`, keyed by `name`. Strings are Unicode JS strings
// (astrings decoded as UTF-8, mailbox names decoded from modified UTF-7); byte payloads
// (APPEND literals, SEARCH strings) stay Buffers.

/** A number in a sequence set: a positive integer, or `*` (the largest in use). */
export type SeqNumber = number | "*";
export interface SeqRange { start: SeqNumber; end: SeqNumber }
/** `1:3,7,*` as written (ranges not normalised), or `$` (the SEARCHRES saved result). */
export type SequenceSet = { kind: "set"; ranges: SeqRange[] } | { kind: "saved" };

/** System flags in canonical case (`\Seen`), keywords as the client wrote them. */
export type Flag = string;

/** BODY[section]: part path (empty = whole message) + optional text part. */
export interface Section {
  part: number[];
  text?: "HEADER" | "HEADER.FIELDS" | "HEADER.FIELDS.NOT" | "TEXT" | "MIME";
  /** header names for HEADER.FIELDS(.NOT), as written (compare case-insensitively) */
  fields?: string[];
}
export interface Partial { offset: number; length: number }

export type FetchAtt =
  | { kind: "ENVELOPE" }
  | { kind: "FLAGS" }
  | { kind: "INTERNALDATE" }
  | { kind: "RFC822" }
  | { kind: "RFC822.HEADER" }
  | { kind: "RFC822.SIZE" }
  | { kind: "RFC822.TEXT" }
  | { kind: "UID" }
  | { kind: "BODYSTRUCTURE" }
  /** BODY without a section: the non-extensible body structure */
  | { kind: "BODY" }
  | { kind: "MODSEQ" }
  /** RFC 8474 object ids and RFC 8514's save date */
  | { kind: "EMAILID" | "THREADID" | "SAVEDATE" }
  /** RFC 8970; LAZY is accepted and the preview made anyway (it is cheap) */
  | { kind: "PREVIEW" }
  | { kind: "BODY[]"; peek: boolean; section: Section; partial?: Partial }
  | { kind: "BINARY[]"; peek: boolean; part: number[]; partial?: Partial }
  | { kind: "BINARY.SIZE"; part: number[] };

export type StatusItem =
  | "MESSAGES" | "RECENT" | "UIDNEXT" | "UIDVALIDITY" | "UNSEEN" | "HIGHESTMODSEQ" | "SIZE"
  | "APPENDLIMIT" | "DELETED" | "MAILBOXID" | "DELETED-STORAGE";

/** A calendar date (SEARCH dates): UTC midnight of that day. */
export type DateOnly = Date;

export type SearchKey =
  | { kind: "ALL" | "ANSWERED" | "DELETED" | "DRAFT" | "FLAGGED" | "NEW" | "OLD" | "RECENT"
      | "SEEN" | "UNANSWERED" | "UNDELETED" | "UNDRAFT" | "UNFLAGGED" | "UNSEEN" }
  | { kind: "KEYWORD" | "UNKEYWORD"; flag: Flag }
  | { kind: "BCC" | "BODY" | "CC" | "FROM" | "SUBJECT" | "TEXT" | "TO"; value: Buffer }
  | { kind: "HEADER"; field: string; value: Buffer }
  | { kind: "BEFORE" | "ON" | "SINCE" | "SENTBEFORE" | "SENTON" | "SENTSINCE" | "SAVEDBEFORE" | "SAVEDON" | "SAVEDSINCE"; date: DateOnly }
  /** RFC 8514: every message, as every mailbox keeps save dates */
  | { kind: "SAVEDATESUPPORTED" }
  /** RFC 8474 */
  | { kind: "EMAILID" | "THREADID"; id: string }
  | { kind: "LARGER" | "SMALLER"; size: number }
  | { kind: "UID"; set: SequenceSet }
  | { kind: "SEQ"; set: SequenceSet }
  | { kind: "NOT"; key: SearchKey }
  | { kind: "OR"; left: SearchKey; right: SearchKey }
  /** a parenthesised list: all must match */
  | { kind: "AND"; keys: SearchKey[] }
  | { kind: "MODSEQ"; modseq: number; entry?: { name: string; type: "priv" | "shared" | "all" } }
  /** RFC 9051 / 5032 style: messages younger/older than N seconds */
  | { kind: "YOUNGER" | "OLDER"; seconds: number };

/** RETURN options: ESEARCH (RFC 4731), SEARCHRES (RFC 5182), CONTEXT (RFC 5267: CONTEXT, UPDATE,
 *  PARTIAL with its range low:high). */
export type SearchReturn = "MIN" | "MAX" | "COUNT" | "ALL" | "SAVE" | "CONTEXT" | "UPDATE" | { partial: [number, number] };

/** RFC 5256, and DISPLAYFROM/DISPLAYTO of RFC 5957 */
export type SortKey = "ARRIVAL" | "CC" | "DATE" | "FROM" | "SIZE" | "SUBJECT" | "TO" | "DISPLAYFROM" | "DISPLAYTO";
export interface SortCriterion { key: SortKey; reverse: boolean }

export interface AppendMessage {
  flags: Flag[];
  date?: Date;
  data: Buffer;
  /** sent as a literal8 `~{n}` (BINARY) */
  binary: boolean;
}

/** One part of a CATENATE message (RFC 4469): a literal's bytes, or an IMAP URL (RFC 5092) as sent. */
export type CatenatePart =
  | { kind: "TEXT"; data: Buffer; binary: boolean }
  | { kind: "URL"; url: string };

/** An APPEND message put together from parts (RFC 4469 CATENATE). */
export interface CatenateMessage {
  flags: Flag[];
  date?: Date;
  catenate: CatenatePart[];
}

export interface QresyncParams {
  uidValidity: number;
  modseq: number;
  knownUids?: SequenceSet;
  seqMatch?: { seqs: SequenceSet; uids: SequenceSet };
}

export interface ListReturnOptions {
  subscribed: boolean;
  children: boolean;
  specialUse: boolean;
  status?: StatusItem[];
}

/** Which mailboxes a NOTIFY event group watches (RFC 5465 §6). */
export type NotifyFilter =
  | { kind: "SELECTED" | "SELECTED-DELAYED" | "PERSONAL" | "INBOXES" | "SUBSCRIBED" }
  /** names as given (MAILBOXES: no wildcard expansion) */
  | { kind: "SUBTREE" | "MAILBOXES"; mailboxes: string[] };

/** An event name in RFC 5465's case (an unknown one as written); MessageNew may carry fetch-atts. */
export interface NotifyEvent {
  name: string;
  fetchAtts?: FetchAtt[];
}

/** `(filter events)`; events [] = NONE */
export interface NotifyGroup {
  filter: NotifyFilter;
  events: NotifyEvent[];
}

export type CommandBody =
  // any state
  | { name: "CAPABILITY" }
  | { name: "NOOP" }
  | { name: "LOGOUT" }
  | { name: "ID"; params: Array<[string, string | null]> | null }
  // not authenticated
  | { name: "STARTTLS" }
  /** initialResponse: undefined = none sent, "" = `=` (empty), else the base64 text */
  | { name: "AUTHENTICATE"; mechanism: string; initialResponse?: string }
  | { name: "LOGIN"; userid: string; password: string }
  // authenticated
  | { name: "ENABLE"; capabilities: string[] }
  | { name: "SELECT" | "EXAMINE"; mailbox: string; condstore: boolean; qresync?: QresyncParams }
  | { name: "CREATE"; mailbox: string; specialUse?: string[] }
  | { name: "DELETE" | "SUBSCRIBE" | "UNSUBSCRIBE"; mailbox: string }
  | { name: "RENAME"; from: string; to: string }
  | {
      /** XLIST (the old Gmail extension) is LIST's basic form, answered with XLIST lines */
      name: "LIST" | "XLIST";
      /** selection options upper-cased: SUBSCRIBED, REMOTE, RECURSIVEMATCH, SPECIAL-USE */
      selection: string[];
      reference: string;
      patterns: string[];
      /** true when the extended syntax was used (selection options or a pattern list) */
      extended: boolean;
      returnOpts: ListReturnOptions;
    }
  /** pattern null: not modified UTF-7, matches nothing */
  | { name: "LSUB"; reference: string; pattern: string | null }
  | { name: "NAMESPACE" }
  /** RFC 4978; mechanism upper-cased */
  | { name: "COMPRESS"; mechanism: string }
  | { name: "STATUS"; mailbox: string; items: StatusItem[] }
  /** RFC 9208 */
  | { name: "GETQUOTA"; root: string }
  | { name: "GETQUOTAROOT"; mailbox: string }
  /** resource names upper-cased, with the limits asked for */
  | { name: "SETQUOTA"; root: string; limits: Array<[string, number]> }
  /** RFC 5464; mailbox "" = the server; entry names lower-cased and checked */
  | { name: "GETMETADATA"; mailbox: string; maxSize?: number; depth: 0 | 1 | "infinity"; entries: string[] }
  /** each entry with its new value, null = remove */
  | { name: "SETMETADATA"; mailbox: string; entries: Array<[string, Buffer | null]> }
  | { name: "APPEND"; mailbox: string; messages: Array<AppendMessage | CatenateMessage> }
  | { name: "IDLE" }
  /** RFC 5465: set null = NOTIFY NONE */
  | { name: "NOTIFY"; set: { status: boolean; groups: NotifyGroup[] } | null }
  // selected
  | { name: "CHECK" }
  | { name: "CLOSE" }
  | { name: "UNSELECT" }
  | { name: "CANCELUPDATE"; tags: string[] }
  | { name: "EXPUNGE"; uid: false }
  | { name: "EXPUNGE"; uid: true; set: SequenceSet }
  | {
      name: "SEARCH";
      uid: boolean;
      charset?: string;
      keys: SearchKey[];
      /** present when RETURN (...) was given (ESEARCH); [] means RETURN () = ALL */
      return?: SearchReturn[];
    }
  | {
      name: "FETCH";
      uid: boolean;
      set: SequenceSet;
      atts: FetchAtt[];
      changedSince?: number;
      vanished: boolean;
    }
  | {
      name: "STORE";
      uid: boolean;
      set: SequenceSet;
      op: "replace" | "add" | "remove";
      silent: boolean;
      flags: Flag[];
      unchangedSince?: number;
    }
  | { name: "COPY" | "MOVE"; uid: boolean; set: SequenceSet; mailbox: string }
  | {
      name: "SORT";
      uid: boolean;
      criteria: SortCriterion[];
      charset: string;
      keys: SearchKey[];
      return?: SearchReturn[];
    }
  | {
      name: "THREAD";
      uid: boolean;
      algorithm: "ORDEREDSUBJECT" | "REFERENCES" | "REFS";
      charset: string;
      keys: SearchKey[];
    };

export type Command = CommandBody & { tag: string };
export type CommandName = CommandBody["name"];
