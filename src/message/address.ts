// RFC 5322 address lists → ENVELOPE address structures, as Dovecot's message-address.c
// builds them: groups as (NIL NIL "name" NIL) ... (NIL NIL NIL NIL), missing parts filled
// with MISSING_MAILBOX / MISSING_DOMAIN, a trailing comment as the name of a bare addr-spec.
import { isAtext, Rfc822Lexer } from "./rfc822-lexer.js";
import { forHumans } from "./header-text.js";

/** [name, adl, mailbox, host], "binary" strings or null */
export type EnvAddress = [string | null, string | null, string | null, string | null];

interface Mailbox {
  name: string | null;
  route: string | null;
  mailbox: string | null;
  domain: string | null;
  invalid: boolean;
}

function localPart(lx: Rfc822Lexer): string | null {
  let out = "";
  for (;;) {
    lx.skipLwsp();
    if (lx.peek() === '"') {
      const q = lx.quoted();
      if (q === null) return null;
      out += q;
    } else {
      const a = lx.atom();
      if (a === "") return out === "" ? null : out;
      out += a;
    }
    lx.skipLwsp();
    if (lx.peek() !== ".") return out;
    lx.pos++;
    out += ".";
  }
}

function domain(lx: Rfc822Lexer): string | null {
  lx.skipLwsp();
  if (lx.peek() === "[") {
    const end = lx.s.indexOf("]", lx.pos);
    if (end < 0) return null;
    const d = lx.s.slice(lx.pos, end + 1);
    lx.pos = end + 1;
    lx.skipLwsp();
    return d;
  }
  const d = lx.dotAtom();
  lx.skipLwsp();
  return d === "" ? null : d;
}

/** Returns whether an '@' followed the local part. */
function addrSpec(lx: Rfc822Lexer, m: Mailbox): boolean {
  m.mailbox = localPart(lx);
  if (m.mailbox === null) m.invalid = true;
  lx.skipLwsp();
  if (lx.peek() !== "@") return false;
  lx.pos++;
  m.domain = domain(lx);
  if (m.domain === null) m.invalid = true;
  return true;
}

function angleAddr(lx: Rfc822Lexer, m: Mailbox): void {
  lx.pos++; // '<'
  lx.skipLwsp();
  if (lx.peek() === "@") {
    const start = lx.pos;
    while (!lx.done && lx.peek() !== ":" && lx.peek() !== ">") lx.pos++;
    if (lx.peek() === ":") {
      m.route = lx.s.slice(start, lx.pos).replace(/[\s]+/g, "");
      lx.pos++;
    } else {
      lx.pos = start;
    }
  }
  addrSpec(lx, m);
  lx.skipLwsp();
  if (lx.peek() === ">") lx.pos++;
  else m.invalid = true;
  lx.skipLwsp();
}

function mailbox(lx: Rfc822Lexer): Mailbox {
  const m: Mailbox = { name: null, route: null, mailbox: null, domain: null, invalid: false };
  const start = lx.pos;
  const name = lx.phrase();
  if (lx.peek() === "<") {
    m.name = name;
    angleAddr(lx, m);
    return m;
  }
  lx.pos = start;
  lx.skipLwsp();
  if (lx.peek() === "<") {
    angleAddr(lx, m);
    return m;
  }
  lx.lastComment = null;
  const at = addrSpec(lx, m);
  lx.skipLwsp();
  if (lx.lastComment !== null) m.name = lx.lastComment;
  else if (!at && m.mailbox !== null) {
    // "undisclosed recipients": a word followed by more words is a display name, as Dovecot
    // reads it; a lone word stays a mailbox
    const more = lx.phrase();
    if (more !== null) {
      m.name = `${m.mailbox} ${more}`;
      m.mailbox = null;
    }
  }
  return m;
}

function toEnv(m: Mailbox): EnvAddress {
  let mb = m.mailbox;
  let dom = m.domain;
  if (mb === null || mb === "") mb = "MISSING_MAILBOX";
  if (dom === null || dom === "") dom = "MISSING_DOMAIN";
  const name = m.name === null ? null : forHumans(m.name);
  return [name === "" ? null : name, m.route, mb, dom];
}

/** Skip to just after the next ',' (outside quotes), to resynchronise after garbage. */
function skipToComma(lx: Rfc822Lexer): void {
  while (!lx.done) {
    const ch = lx.peek();
    if (ch === '"') lx.quoted();
    else if (ch === "(") lx.skipLwsp();
    else {
      lx.pos++;
      if (ch === ",") return;
    }
  }
}

export function parseAddressList(value: string, out: EnvAddress[]): void {
  const lx = new Rfc822Lexer(value);
  let guard = 0;
  while (guard++ < 100_000) {
    lx.skipLwsp();
    while (lx.peek() === ",") {
      lx.pos++;
      lx.skipLwsp();
    }
    if (lx.done) return;
    const start = lx.pos;
    const phrase = lx.phrase();
    if (phrase !== null && lx.peek() === ":") {
      lx.pos++;
      out.push([null, null, forHumans(phrase), null]);
      for (;;) {
        lx.skipLwsp();
        while (lx.peek() === ",") {
          lx.pos++;
          lx.skipLwsp();
        }
        if (lx.done) break;
        if (lx.peek() === ";") {
          lx.pos++;
          break;
        }
        const before = lx.pos;
        out.push(toEnv(mailbox(lx)));
        lx.skipLwsp();
        if (lx.peek() !== "," && lx.peek() !== ";") skipToComma(lx);
        if (lx.pos === before) lx.pos++;
      }
      out.push([null, null, null, null]);
      continue;
    }
    lx.pos = start;
    const m = mailbox(lx);
    out.push(toEnv(m));
    lx.skipLwsp();
    if (!lx.done && lx.peek() !== ",") skipToComma(lx);
    if (lx.pos === start) lx.pos++;
  }
}

/** addr-mailbox of the first address, lower-case, or "" (RFC 5256 SORT FROM/TO/CC). */
export function firstMailbox(list: EnvAddress[] | null): string {
  for (const a of list ?? []) {
    if (a[2] !== null && a[3] !== null) return a[2].toLowerCase();
  }
  return "";
}

/** A quoted string when the text is not all atext ('.' allowed in a mailbox), with `"`, `\` and
 *  `'` escaped (Dovecot's message-address.c str_append_maybe_escape). */
function maybeQuote(s: string, dotIsAtext: boolean): string {
  let plain = true;
  for (let i = 0; i < s.length && plain; i++) plain = isAtext(s.charCodeAt(i)) || (dotIsAtext && s[i] === ".");
  return plain ? s : `"${s.replace(/["\\']/g, "\\$&")}"`;
}

/**
 * An address list written back as text, as Dovecot's message_address_write does: every address
 * as `Name <mailbox@domain>` (comments gone, a trailing comment as the name, missing parts
 * filled), groups as `name: ...;`. SEARCH FROM/TO/CC/BCC look in this text, not in the raw
 * header (RFC 3501: "the envelope structure's FROM field"), so `<user (c)@ (c) example.org>`
 * is found by `user@example.org`. Encoded words in names stay as written, to be decoded after.
 */
export function addressListText(value: string): string {
  const list: EnvAddress[] = [];
  parseAddressList(value, list);
  let out = "";
  let first = true;
  let inGroup = false;
  for (const [name, route, mailbox, host] of list) {
    if (first) first = false;
    else out += ", ";
    if (host === null) {
      if (!inGroup) {
        // start of a group: the mailbox slot holds its name
        out += mailbox ? (mailbox.includes("=?") ? mailbox : maybeQuote(mailbox, false)) : '""';
        out += ": ";
        first = true;
      } else if (out.endsWith(", ")) out = out.slice(0, -2) + ";";
      else out = out.slice(0, -1) + ";"; // an empty group: "name:;"
      inGroup = !inGroup;
      continue;
    }
    if (name !== null) out += name.includes("=?") ? name : maybeQuote(name, false);
    if (name !== null && name !== "") out += " ";
    out += `<${route !== null ? `${route}:` : ""}${mailbox === "" || mailbox === null ? '""' : maybeQuote(mailbox, true)}@${host}>`;
  }
  return out;
}
