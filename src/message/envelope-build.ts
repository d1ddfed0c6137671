// Builds a message's ENVELOPE (stored pre-built in the index, "binary" strings) and the SORT
// fields from its collected header fields, following Dovecot: Date/Subject/Message-ID/
// In-Reply-To take the last occurrence, address headers accumulate, Sender and Reply-To
// default to From.
import type { ImapData, MimeIndex } from "./model.js";
import { parseAddressList, firstMailbox, type EnvAddress } from "./address.js";
import type { HeaderCollector } from "./header-collector.js";
import { forHumans } from "./header-text.js";
import { decode2047 } from "./rfc2047.js";
import { parseDate } from "./date.js";

function addresses(h: HeaderCollector, name: string): EnvAddress[] | null {
  const values = h.all(name);
  if (values.length === 0) return null;
  const out: EnvAddress[] = [];
  for (const v of values) parseAddressList(v, out);
  return out.length ? out : null;
}

export function buildEnvelope(h: HeaderCollector): ImapData[] {
  const from = addresses(h, "from");
  const subject = h.last("subject");
  return [
    h.last("date"),
    subject === null ? null : forHumans(subject),
    from,
    addresses(h, "sender") ?? from,
    addresses(h, "reply-to") ?? from,
    addresses(h, "to"),
    addresses(h, "cc"),
    addresses(h, "bcc"),
    h.last("in-reply-to"),
    h.last("message-id"),
  ];
}

function msgIds(raw: string | null): string[] {
  if (raw === null) return [];
  return [...raw.matchAll(/<[^<>\s]*>/g)].map((m) => m[0]);
}

export function buildSort(h: HeaderCollector, env: ImapData[]): MimeIndex["sort"] {
  const subject = h.last("subject");
  return {
    date: parseDate(h.last("date")),
    subject: subject === null ? "" : decode2047(subject),
    from: firstMailbox(env[2] as EnvAddress[] | null),
    to: firstMailbox(env[5] as EnvAddress[] | null),
    cc: firstMailbox(env[6] as EnvAddress[] | null),
    messageId: msgIds(h.last("message-id"))[0] ?? null,
    inReplyTo: msgIds(h.last("in-reply-to"))[0] ?? null,
    references: msgIds(h.all("references").join(" ")),
  };
}
