// The FETCH items, one entry per kind (Dovecot's imap-fetch.c handlers): what each needs of a
// message before its response starts, whether it sets \Seen, and how it is written. Adding an
// item (PREVIEW, SAVEDATE, EMAILID) is one entry here; the preparation reads the needs.
import type { FetchAtt } from "../../protocol/ast.js";
import type { FetchResponseWriter } from "../../protocol/fetch-response.js";
import { bodySectionName, binarySectionName } from "../../protocol/fetch-item-names.js";
import { encodeData, internalDate, type Value } from "../../protocol/encode.js";
import type { MimeIndex, SectionData } from "../../message/model.js";
import { bodyStructure, envelope } from "../../message/index.js";
import type { MessageBytes, MessageRecord } from "../../store/contract.js";
import type { MailboxView } from "../view.js";
import { messageCache, type RenderedItem } from "../message-cache.js";
import { writeSection, type BodyRequest } from "./body-section.js";
import { emailId, threadId } from "../object-ids.js";
import { PREVIEW_READ, previewPart, previewText } from "../../message/preview.js";

/**
 * What an item needs before its response starts, from least to most:
 * - record: the store's record only (written synchronously, no file, no index)
 * - index: the MIME index
 * - bytes: the message's bytes as they are (the whole message: no index, size from the record)
 * - section: the index, then the section's bytes (a cached header block, or the file)
 * - binary: a part decoded (the whole message read and decoded: one message at a time)
 */
export type Need = "record" | "index" | "bytes" | "section" | "binary";

/** A message made ready for its response by the preparation (prepare.ts): what the items render from. */
export interface Prepared {
  rec: MessageRecord;
  seq: number;
  index?: MimeIndex;
  /** open when some piece is streamed from the message (close it after the response) */
  bytes?: MessageBytes;
  /** each body item's section, null when the message has no such section */
  sections: Map<FetchItem, SectionData | null>;
  /** each BINARY item's decoded part, null when there is no such part */
  binaries: Map<FetchItem, Buffer | null>;
}

export interface FetchItem {
  needs: Need;
  /** BODY[...] and RFC822*: the section to resolve in preparation */
  body?: BodyRequest;
  /** BINARY[...] and BINARY.SIZE[...]: the part to decode in preparation */
  binaryPart?: number[];
  /** a non-PEEK body item: the message gets \Seen (RFC 3501 §6.4.5) */
  setsSeen?: boolean;
  /** may read each file to count its size (sizes are counted lazily): served in time slices */
  readsSizes?: boolean;
  /**
   * Writes the item. `rec` is the message's current record; `p` is its preparation, null when
   * every item of the command needs only the record.
   */
  render(w: FetchResponseWriter, rec: MessageRecord, p: Prepared | null, view: MailboxView): void | Promise<void>;
}

type Att<K extends FetchAtt["kind"]> = Extract<FetchAtt, { kind: K }>;

/** ENVELOPE / BODYSTRUCTURE / BODY as sent, made once per message (see message-cache.ts). */
function structure(item: RenderedItem, make: (index: MimeIndex) => Value): FetchItem {
  return {
    needs: "index",
    render: (w, rec, p, view) => w.encoded(item, messageCache.rendered(view.mailbox, rec.uid, item,
      () => encodeData(make(p!.index!)).toString("latin1"))),
  };
}

/** A body section under its name; RFC822* are BODY[...] under their own names. */
function body(name: string, req: BodyRequest, peek: boolean): FetchItem {
  const whole = req.section.part.length === 0 && req.section.text === undefined;
  return {
    needs: whole ? "bytes" : "section",
    body: req,
    setsSeen: !peek,
    render(w, rec, p) {
      const sec = p!.sections.get(this) ?? null;
      if (sec === null) return w.nil(name);
      return writeSection(w, name, rec.uid, sec, req, p!.bytes);
    },
  };
}

/** Record items: each call makes an equal entry, so one object serves every command. */
const UID: FetchItem = { needs: "record", render: (w, rec) => w.number("UID", rec.uid) };
const FLAGS: FetchItem = { needs: "record", render: (w, rec, _p, view) => w.encoded("FLAGS", view.flagsText(rec)) };
const MODSEQ: FetchItem = { needs: "record", render: (w, rec) => w.numberList("MODSEQ", rec.modseq) };
const INTERNALDATE: FetchItem = { needs: "record", render: (w, rec) => w.encoded("INTERNALDATE", internalDate(rec.internalDate)) };
const RFC822_SIZE: FetchItem = { needs: "record", readsSizes: true, render: (w, rec) => w.number("RFC822.SIZE", rec.size) };
/** RFC 8474's ids come from the index's content digest and Message-IDs (see object-ids.ts). */
const EMAILID: FetchItem = { needs: "index", render: (w, _rec, p) => w.encoded("EMAILID", `(${emailId(p!.index!)})`) };
const THREADID: FetchItem = { needs: "index", render: (w, _rec, p) => w.encoded("THREADID", `(${threadId(p!.index!)})`) };
/** RFC 8514: the row's save date; NIL only for a message gone meanwhile */
const SAVEDATE: FetchItem = {
  needs: "record",
  render(w, rec, _p, view) {
    const ms = view.mailbox.savedDate(rec.uid);
    if (ms === null) w.nil("SAVEDATE");
    else w.encoded("SAVEDATE", internalDate(new Date(ms)));
  },
};
/** RFC 8970: made from the first text part's first bytes, once per message (message-cache). */
const PREVIEW: FetchItem = {
  needs: "index",
  render(w, rec, p, view) {
    const text = messageCache.derived(view.mailbox, rec.uid, "preview", () => {
      const part = previewPart(p!.index!);
      if (!part) return "";
      const head = view.mailbox.readMessageRange(rec.uid, part.bodyStart, Math.min(part.bodyEnd, part.bodyStart + PREVIEW_READ));
      return previewText(part, head);
    }, (t) => 2 * t.length + 40);
    w.encoded("PREVIEW", encodeData(text).toString("latin1"));
  },
};
const ENVELOPE = structure("ENVELOPE", (i) => envelope(i));
const BODYSTRUCTURE = structure("BODYSTRUCTURE", (i) => bodyStructure(i, true));
const BODY = structure("BODY", (i) => bodyStructure(i, false));

/** The table: from a FETCH attribute as parsed to the item that answers it. */
const ITEMS: { [K in FetchAtt["kind"]]: (att: Att<K>) => FetchItem } = {
  UID: () => UID,
  FLAGS: () => FLAGS,
  MODSEQ: () => MODSEQ,
  EMAILID: () => EMAILID,
  THREADID: () => THREADID,
  SAVEDATE: () => SAVEDATE,
  PREVIEW: () => PREVIEW,
  INTERNALDATE: () => INTERNALDATE,
  "RFC822.SIZE": () => RFC822_SIZE,
  ENVELOPE: () => ENVELOPE,
  BODYSTRUCTURE: () => BODYSTRUCTURE,
  BODY: () => BODY,
  RFC822: () => body("RFC822", { section: { part: [] } }, false),
  "RFC822.HEADER": () => body("RFC822.HEADER", { section: { part: [], text: "HEADER" } }, true),
  "RFC822.TEXT": () => body("RFC822.TEXT", { section: { part: [], text: "TEXT" } }, false),
  "BODY[]": (att) => body(bodySectionName(att.section, att.partial), { section: att.section, partial: att.partial }, att.peek),
  "BINARY[]": (att) => {
    const name = binarySectionName("BINARY", att.part, att.partial);
    return {
      needs: "binary",
      binaryPart: att.part,
      setsSeen: !att.peek,
      render(w, _rec, p) {
        const whole = p!.binaries.get(this) ?? null;
        if (whole === null) return w.nil(name);
        const { partial } = att;
        w.binaryLiteral(name, partial ? whole.subarray(partial.offset, partial.offset + partial.length) : whole);
      },
    };
  },
  "BINARY.SIZE": (att) => {
    const name = binarySectionName("BINARY.SIZE", att.part);
    return {
      needs: "binary",
      binaryPart: att.part,
      render(w, _rec, p) {
        const whole = p!.binaries.get(this) ?? null;
        if (whole === null) w.nil(name);
        else w.number(name, whole.length);
      },
    };
  },
};

export function fetchItem(att: FetchAtt): FetchItem {
  return (ITEMS[att.kind] as (a: FetchAtt) => FetchItem)(att);
}

/** The FLAGS and MODSEQ items, for the ones a response carries without being asked. */
export const flagsItem = FLAGS;
export const modseqItem = MODSEQ;
