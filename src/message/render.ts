// ENVELOPE and BODYSTRUCTURE / BODY (RFC 3501 §7.4.2, RFC 9051) from a MimeIndex, written the
// way Dovecot's imap-bodystructure.c writes them: type names as sent, default "text" "plain"
// with ("charset" "us-ascii"), "7bit", an empty multipart shown with one empty text/plain part.
import type { ImapData, MimeIndex, MimeMessage, MimePart } from "./model.js";

const HIGH = /[\x80-\xff]/;

/** A stored "binary" string as wire data: plain string if ASCII, else its raw bytes. */
export function wire(s: string | null): string | Buffer | null {
  if (s === null) return null;
  return HIGH.test(s) ? Buffer.from(s, "latin1") : s;
}

/** Stored values may come back from JSON: turn a serialised Buffer into bytes too. */
function wireData(d: unknown): ImapData {
  if (d === null || d === undefined) return null;
  if (typeof d === "string") return wire(d);
  if (typeof d === "number" || Buffer.isBuffer(d)) return d;
  if (Array.isArray(d)) return d.map(wireData);
  const o = d as { type?: string; data?: number[] };
  if (o.type === "Buffer" && Array.isArray(o.data)) return Buffer.from(o.data);
  return null;
}

function envelopeOf(m: MimeMessage): ImapData {
  return m.envelope.length ? m.envelope.map(wireData) : [null, null, null, null, null, null, null, null, null, null];
}

export function envelope(index: MimeIndex): ImapData {
  return envelopeOf(index.root);
}

function params(list: Array<[string, string]>, defaultCharset: boolean): ImapData {
  if (list.length === 0 && !defaultCharset) return null;
  const out: ImapData[] = [];
  let seenCharset = false;
  for (const [k, v] of list) {
    if (defaultCharset && k.toLowerCase() === "charset") seenCharset = true;
    out.push(wire(k), wire(v));
  }
  if (defaultCharset && !seenCharset) out.push("charset", "us-ascii");
  return out;
}

type Raw = MimePart & { rawType?: string; rawSubtype?: string };

function extensionCommon(p: MimePart): ImapData[] {
  return [
    p.disposition ? [wire(p.disposition.type), params(p.disposition.params, false)] : null,
    p.language ? p.language.map(wire) : null,
    wire(p.location),
  ];
}

const EMPTY_BASIC: ImapData[] = ["text", "plain", ["charset", "us-ascii"], null, null, "7bit", 0, 0];

function structure(p: MimePart, ext: boolean): ImapData {
  const type = (p as Raw).rawType ?? p.type;
  const subtype = (p as Raw).rawSubtype ?? p.subtype;
  if (p.parts !== undefined) {
    const out: ImapData[] = p.parts.length
      ? p.parts.map((c) => structure(c, ext))
      : [ext ? [...EMPTY_BASIC, null, null, null, null] : EMPTY_BASIC];
    out.push(wire(subtype));
    if (ext) out.push(params(p.params, false), ...extensionCommon(p));
    return out;
  }
  const isText = p.type === "text";
  // Dovecot writes message/rfc822 in lower case whatever was sent
  const out: ImapData[] = [
    p.message ? "message" : wire(type),
    p.message ? "rfc822" : wire(subtype),
    params(p.params, isText),
    wire(p.id),
    wire(p.description),
    wire(p.encoding),
    p.bodySize,
  ];
  if (p.message) out.push(envelopeOf(p.message), structure(p.message, ext), p.bodyLines);
  else if (isText) out.push(p.bodyLines);
  if (ext) out.push(wire(p.md5), ...extensionCommon(p));
  return out;
}

/**
 * Dovecot's message_part_data_is_plain_7bit: a single-part message that says no more than
 * text/plain; charset=us-ascii (any case), 7bit. Dovecot caches such a message as one flag and
 * answers the canonical lower-case form, so a client sees that form; so do we.
 */
function isPlain7bit(p: MimePart): boolean {
  if (p.type !== "text" || p.subtype !== "plain" || p.parts || p.message) return false;
  if (p.params.length > 1) return false;
  if (p.params.length === 1 && (p.params[0][0].toLowerCase() !== "charset" || p.params[0][1].toLowerCase() !== "us-ascii")) return false;
  if (p.id !== null || p.description !== null || p.encoding.toLowerCase() !== "7bit") return false;
  return p.md5 === null && p.disposition === null && p.language === null && p.location === null;
}

/** BODYSTRUCTURE (extensible = true) or BODY (false). */
export function bodyStructure(index: MimeIndex, extensible: boolean): ImapData {
  const root = index.root;
  if (isPlain7bit(root)) {
    const out: ImapData[] = [...EMPTY_BASIC];
    out[6] = root.bodySize;
    out[7] = root.bodyLines;
    if (extensible) out.push(null, null, null, null);
    return out;
  }
  return structure(root, extensible);
}
