// RFC 5322 address lists → ENVELOPE address structures, as Dovecot's message-address.c
// builds them: groups as (NIL NIL "name" NIL) ... (NIL NIL NIL NIL), missing parts filled
// with MISSING_MAILBOX / MISSING_DOMAIN, a trailing comment as the name of a bare addr-spec.
import { Rfc822Lexer } from "./rfc822-lexer.js";
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

function addrSpec(lx: Rfc822Lexer, m: Mailbox): void {
  m.mailbox = localPart(lx);
  if (m.mailbox === null) m.invalid = true;
  lx.skipLwsp();
  if (lx.peek() === "@") {
    lx.pos++;
    m.domain = domain(lx);
    if (m.domain === null) m.invalid = true;
  }
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
  addrSpec(lx, m);
  lx.skipLwsp();
  if (lx.lastComment !== null) m.name = lx.lastComment;
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
