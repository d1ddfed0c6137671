// The message model's contract: everything a client asks about one message, from its bytes.
// No files, no sockets. Offsets into the stored (LF) bytes are "file offsets"; every size the
// client sees counts the CRLF form.

/**
 * An IMAP data value as the wire shows it: null = NIL, number, string = an IMAP string
 * (the encoder picks quoted or literal), Buffer = an IMAP string of raw bytes, array = a
 * parenthesised list. ENVELOPE and BODYSTRUCTURE are built from these and nothing else.
 */
export type ImapData = null | number | string | Buffer | ImapData[];

/** One part of the MIME tree. Serialisable (JSON) so the store can cache it. */
export interface MimePart {
  /** file offsets [start, end) of this part's header block, incl. the blank line */
  headerStart: number;
  headerEnd: number;
  /** file offsets [start, end) of the body */
  bodyStart: number;
  bodyEnd: number;
  /** sizes in CRLF form */
  headerSize: number;
  bodySize: number;
  bodyLines: number;
  /** lower-case type/subtype, after defaults ("" when Content-Type is broken, as Dovecot);
   * rawType/rawSubtype (optional, see indexer.ts RawPart) keep the spelling sent.
   * Strings below are "binary" strings: one char per header byte (latin1), so 8-bit header
   * bytes survive JSON; render.ts turns them back into bytes. params are as sent (no default
   * charset added); encoding is as sent, "7bit" when absent. */
  type: string;
  subtype: string;
  params: Array<[string, string]>;
  id: string | null;
  description: string | null;
  encoding: string;
  md5: string | null;
  disposition: { type: string; params: Array<[string, string]> } | null;
  language: string[] | null;
  location: string | null;
  /** children of a multipart */
  parts?: MimePart[];
  /** for message/rfc822 (and message/global): the embedded message */
  message?: MimeMessage;
}

/** A message (top level or embedded): its part tree plus what ENVELOPE needs. */
export interface MimeMessage extends MimePart {
  /** pre-built ENVELOPE with "binary" strings: use envelope(index) for wire values */
  envelope: ImapData[];
}

export interface MimeIndex {
  /** format version of this value, for the store's cache */
  v: number;
  /** RFC822.SIZE: the whole message in CRLF form */
  size: number;
  root: MimeMessage;
  /** for SORT/THREAD without rereading: decoded and normalised values */
  sort: {
    date: number | null; // ms since epoch from the Date header
    subject: string; // decoded Subject
    from: string; // first From mailbox, lower-case
    to: string;
    cc: string;
    messageId: string | null;
    inReplyTo: string | null;
    references: string[];
  };
  /** SHA-256 of the stored bytes, cut to 20 base64url characters: the same bytes, the same
   * digest, wherever the file is (EMAILID). Absent in indexes cached before it existed. */
  digest?: string;
}

/** What BODY[section] resolves to: pieces to send in order, and their total size (CRLF form). */
export interface SectionData {
  size: number;
  /** file ranges (LF on disk: convert with crlfChunks/CrlfTransform; `size` = that range in
   * CRLF form, when known) or bytes already in wire form */
  pieces: Array<{ start: number; end: number; size?: number } | { bytes: Buffer }>;
}
