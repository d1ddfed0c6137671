// One message as the full-text index holds it: for each kind of SEARCH key, the very strings
// the matcher looks in (src/imap/search/search-text.ts, message/body-text.ts), lower-cased by
// the same code, whole (never cut short), so a needle is in a column exactly when SEARCH finds
// it in the message (fts-query.ts says for which keys and needles). HTML parts stay as SEARCH
// reads them (tags and all): text reduced from them would miss needles SEARCH finds.
import { bodyText, indexMessage, type MimeIndex } from "../../message/index.js";
import { headerFields } from "../search/header-values.js";
import { addressText, fieldLine, headerText, subjectText } from "../search/search-text.js";

/** The index's columns, in the table's order. */
export const COLUMNS = ["body", "head", "hdr", "subject", "from", "to", "cc", "bcc"] as const;
export type Column = (typeof COLUMNS)[number];

export type FtsDocument = Record<Column, string>;

/** NUL cannot reach the tokenizer safely: U+FFFD stands for it, a character no needle the
 *  index answers holds (fts-query.ts), so no match is made or lost by it. */
const clean = (s: string) => (s.includes("\0") ? s.replace(/\0/g, "\ufffd") : s);

export function ftsDocument(file: Buffer, index: MimeIndex = indexMessage(file)): FtsDocument {
  const block = file.subarray(index.root.headerStart, index.root.headerEnd);
  const fields = headerFields(block);
  const names = [...new Set(fields.map((f) => f.name))];
  // the raw values per name, exactly as SEARCH takes them for HEADER/SUBJECT/FROM...
  const raw = (name: string) => headerFields(block, name, true).map((h) => h.value);
  const join = (vs: string[]) => clean(vs.join("\n"));
  return {
    body: clean(bodyText(index, file).toLowerCase()),
    head: join(fields.map(fieldLine)),
    hdr: join(names.flatMap((n) => raw(n).map(headerText))),
    subject: join(raw("subject").map(subjectText)),
    from: join(raw("from").map(addressText)),
    to: join(raw("to").map(addressText)),
    cc: join(raw("cc").map(addressText)),
    bcc: join(raw("bcc").map(addressText)),
  };
}
