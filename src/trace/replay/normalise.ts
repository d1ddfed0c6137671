// Normalisation rules applied to every response line on both sides before comparison. Each
// rule has a name, says why it exists, and is tested on its own (test/trace/normalise.test.ts).
// Timing is never compared at all: trace_time/trace_delta_time are not part of a response.
import { redactResponse } from "../redact.js";
import { sortFetchItems } from "./fetch-items.js";
import { NO_CRLF } from "./sink.js";
import { commandMailbox, imapWords, mailboxKey } from "./words.js";

export type Side = "expected" | "got";

/** Per-side memory of stateful rules; one per side per replay. */
export interface SideState {
  /** Mailbox → the distinct UIDVALIDITY values seen for it, in order of first appearance. */
  uidvalidity: Map<string, string[]>;
}

export function newSideState(): SideState {
  return { uidvalidity: new Map() };
}

export interface NormaliseContext {
  side: Side;
  /** The client command whose response set the line belongs to ("" if none). */
  command: string;
  state: SideState;
  /** Epoch ms interval during which this side's server could have set dates itself. */
  serverTimeWindow?: { from: number; to: number };
  /** The recording holds redacted message literals (traced without --trace-bodies). */
  redactedTrace?: boolean;
}

export interface NormalisationRule {
  name: string;
  why: string;
  /** Optional rules are skipped when asked for (asimap-replay --strict-text). */
  optional: boolean;
  apply(line: string, ctx: NormaliseContext): string;
}

function uidvalidityToken(ctx: NormaliseContext, mailbox: string | undefined, value: string): string {
  const key = mailbox ?? "?";
  let values = ctx.state.uidvalidity.get(key);
  if (!values) ctx.state.uidvalidity.set(key, (values = []));
  if (!values.includes(value)) values.push(value);
  return `<uidvalidity ${key}#${values.indexOf(value) + 1}>`;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** Parses an IMAP date-time ("dd-Mon-yyyy hh:mm:ss +zzzz", day possibly space-padded). */
export function parseImapDateTime(text: string): number | undefined {
  const m = /^ ?(\d{1,2})-([A-Za-z]{3})-(\d{4}) (\d\d):(\d\d):(\d\d) ([+-])(\d\d)(\d\d)$/.exec(text);
  if (!m) return undefined;
  const month = MONTHS.findIndex((x) => x.toLowerCase() === m[2].toLowerCase());
  if (month < 0) return undefined;
  const utc = Date.UTC(+m[3], month, +m[1], +m[4], +m[5], +m[6]);
  const offset = (m[7] === "-" ? -1 : 1) * (+m[8] * 60 + +m[9]) * 60_000;
  return utc - offset;
}

export const RULES: NormalisationRule[] = [
  {
    name: "uidvalidity",
    why:
      "UIDVALIDITY values depend on when a mailbox was first seen; each side's values are mapped, " +
      "per mailbox and in order of first appearance, to <uidvalidity MAILBOX#k>, so a value that " +
      "changes (or stays) in the recording must change (or stay) in the replay; MAILBOXID (made from it) too",
    optional: false,
    apply(line, ctx) {
      const mailbox = commandMailbox(ctx.command);
      let out = line.replace(/\[(UIDVALIDITY|APPENDUID|COPYUID) (\d+)/gi, (_all, code: string, v: string) =>
        `[${code} ${uidvalidityToken(ctx, mailbox, v)}`,
      );
      // MAILBOXID (RFC 8474) is made from the UIDVALIDITY: mapped the same way
      out = out.replace(/\[MAILBOXID \(([^)]*)\)/gi, (_all, v: string) => `[MAILBOXID (${uidvalidityToken(ctx, mailbox, v)})`);
      const status = /^\* STATUS (.*)$/i.exec(out);
      if (status) {
        const words = imapWords(status[1]);
        const name = words.length >= 2 ? mailboxKey(words[0]) : undefined;
        out = out.replace(/(\(|\s)UIDVALIDITY (\d+)/gi, (_all, pre: string, v: string) =>
          `${pre}UIDVALIDITY ${uidvalidityToken(ctx, name, v)}`,
        );
        out = out.replace(/(\(|\s)MAILBOXID \(([^)]*)\)/gi, (_all, pre: string, v: string) =>
          `${pre}MAILBOXID (${uidvalidityToken(ctx, name, v)})`,
        );
      }
      return out;
    },
  },
  {
    name: "server-set-internaldate",
    why:
      "an APPEND without a date gets the server's clock as INTERNALDATE; a date inside the " +
      "side's own run (recording or replay, ±2 min) is replaced by <set by server>",
    optional: false,
    apply(line, ctx) {
      const w = ctx.serverTimeWindow;
      if (!w) return line;
      return line.replace(/INTERNALDATE "([^"]*)"/gi, (all, text: string) => {
        const t = parseImapDateTime(text);
        return t !== undefined && t >= w.from && t <= w.to ? "INTERNALDATE <set by server>" : all;
      });
    },
  },
  {
    name: "redacted-literal",
    why:
      "a trace recorded without --trace-bodies holds each message literal of a FETCH response " +
      "(BODY[...], BINARY[...], RFC822*) as its length and sha256; when the recording has such " +
      "markers, the live server's message literals become markers too, so they match when the " +
      "length and digest do",
    optional: false,
    apply(line, ctx) {
      return ctx.redactedTrace ? redactResponse(line) : line;
    },
  },
  {
    name: "flag-order",
    why:
      "a flag list is a set (RFC 9051 §2.3.2, 7.3.5): the flags inside FLAGS (...) and " +
      "PERMANENTFLAGS (...) are sorted (case-insensitively) before comparing",
    optional: false,
    apply(line) {
      return line.replace(/\b(FLAGS|PERMANENTFLAGS) \(([^()]*)\)/gi, (_all, what: string, flags: string) => {
        const sorted = flags.split(" ").filter(Boolean).sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()));
        return `${what} (${sorted.join(" ")})`;
      });
    },
  },
  {
    name: "fetch-item-order",
    why:
      "the items of a FETCH response may come in any order (RFC 9051 §7.5.2 sets none): they " +
      "are sorted by item name before comparing; the values are compared as they are",
    optional: false,
    apply(line) {
      return sortFetchItems(line);
    },
  },
  {
    name: "capability-order",
    why:
      "a capability list is a set of case-insensitive atoms (RFC 9051 §7.2.2): the atoms of " +
      "* CAPABILITY and of a [CAPABILITY ...] response code are upper-cased and sorted",
    optional: false,
    apply(line) {
      const sort = (atoms: string) => atoms.split(" ").filter(Boolean).map((a) => a.toUpperCase()).sort().join(" ");
      const untagged = /^\* CAPABILITY (.*)$/i.exec(line);
      if (untagged) return `* CAPABILITY ${sort(untagged[1])}`;
      return line.replace(/\[CAPABILITY ([^\]]*)\]/i, (_all, atoms: string) => `[CAPABILITY ${sort(atoms)}]`);
    },
  },
  {
    name: "command-timing",
    why:
      "servers may report how long a command took in its completion text, e.g. Dovecot's " +
      "\"(0.001 + 0.000 secs)\"; the figures are replaced by <timing>",
    optional: false,
    apply(line) {
      return line.replace(/\(\d+\.\d+(?: \+ \d+\.\d+)* secs\)/g, "(<timing>)");
    },
  },
  {
    name: "status-text",
    why:
      "the human-readable text after OK/NO/BAD/BYE/PREAUTH (tagged or untagged, after any " +
      "[response code]) and after a '+' continuation is text for humans (RFC 3501 §7.1, " +
      "RFC 9051 §7.1): its status and response code are compared, its words only with --strict-text",
    optional: true,
    apply(line) {
      // A response cut short (no CRLF) stays marked: that is not free text.
      const cut = line.endsWith(NO_CRLF) ? NO_CRLF : "";
      const cont = /^\+( |$)/.exec(line);
      if (cont) return `+ …${cut}`;
      const m = /^(\S+ (?:OK|NO|BAD|BYE|PREAUTH))(?: (\[[^\]]*\]))?(?: .*)?$/i.exec(line);
      if (!m) return line;
      return `${m[1]}${m[2] ? ` ${m[2]}` : ""} …${cut}`;
    },
  },
];

export interface NormaliseOptions {
  /** Compare the human text of status responses too (skips the optional rules). */
  strictText: boolean;
}

export function normalise(line: string, ctx: NormaliseContext, opts: NormaliseOptions): string {
  let out = line;
  for (const rule of RULES) {
    if (rule.optional && opts.strictText) continue;
    out = rule.apply(out, ctx);
  }
  return out;
}
