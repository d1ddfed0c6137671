// Content-* header values parsed the way Dovecot's message-part-data.c and rfc2231-parser.c
// parse them (case kept as written, RFC 2231 continuations merged), on "binary" strings.
import { Rfc822Lexer } from "./rfc822-lexer.js";

export interface ContentType {
  type: string; // as written; "" when the header is broken
  subtype: string;
  params: Array<[string, string]>;
}

/** `; key=value` pairs; stops at the first broken one. */
function rawParams(lx: Rfc822Lexer): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (;;) {
    lx.skipLwsp();
    if (lx.peek() !== ";") return out;
    lx.pos++;
    lx.skipLwsp();
    const key = lx.token();
    if (key === "") {
      if (lx.done) return out;
      continue; // "a/b;;c=d": empty parameter, go on
    }
    lx.skipLwsp();
    if (lx.peek() !== "=") return out;
    lx.pos++;
    lx.skipLwsp();
    let value: string;
    if (lx.peek() === '"') {
      const q = lx.quoted();
      if (q === null) return out;
      value = q;
    } else {
      value = lx.token();
      if (value === "") return out;
    }
    out.push([key, value]);
  }
}

interface Rfc2231Piece {
  key: string;
  idx: number;
  extended: boolean;
  value: string;
}

/** Merge RFC 2231 `key*n[*]` pieces exactly as Dovecot's rfc2231_parse does, including its
 * quirk that a bare `key*` reuses the previous piece's index. */
export function mergeRfc2231(params: Array<[string, string]>): Array<[string, string]> {
  const result: Array<[string, string]> = [];
  const pieces: Rfc2231Piece[] = [];
  let idx = 0;
  for (const [key, value] of params) {
    const star = key.indexOf("*");
    if (star < 0) {
      result.push([key, value]);
      continue;
    }
    let p = star;
    if (p + 1 < key.length) {
      p++;
      idx = 0;
      while (p < key.length && key[p] >= "0" && key[p] <= "9") idx = idx * 10 + (key.charCodeAt(p++) - 48);
    }
    let extended = false;
    if (key[p] === "*") {
      extended = true;
      p++;
    }
    if (p !== key.length) result.push([key, value]);
    else pieces.push({ key: key.slice(0, star), idx, extended, value });
  }
  const lc = (s: string) => s.toLowerCase();
  pieces.sort((a, b) => (lc(a.key) < lc(b.key) ? -1 : lc(a.key) > lc(b.key) ? 1 : a.idx - b.idx));
  for (let i = 0; i < pieces.length; ) {
    let j = i;
    let ok = true;
    let haveExt = false;
    for (let next = 0; j < pieces.length && lc(pieces[j].key) === lc(pieces[i].key); j++, next++) {
      if (pieces[j].idx !== next) ok = false;
      if (pieces[j].extended) haveExt = true;
    }
    if (!ok) {
      for (let k = i; k < j; k++) {
        const pc = pieces[k];
        result.push([`${pc.key}*${pc.idx}${pc.extended ? "*" : ""}`, pc.value]);
      }
    } else {
      let v = !pieces[i].extended && haveExt ? "''" : "";
      for (let k = i; k < j; k++) {
        v += !pieces[k].extended && haveExt ? pieces[k].value.replace(/%/g, "%25") : pieces[k].value;
      }
      result.push([haveExt ? pieces[i].key + "*" : pieces[i].key, v]);
    }
    i = j;
  }
  return result;
}

/** Like Dovecot's rfc822_parse_content_type: a type token that ends the value is kept with an
 * empty subtype; a type followed by anything but "/" gives "" ""; params only when valid. */
export function parseContentType(value: string): ContentType {
  const lx = new Rfc822Lexer(value);
  const broken = { type: "", subtype: "", params: [] };
  lx.skipLwsp();
  const type = lx.token();
  if (type === "") return broken;
  if (lx.done) return { type, subtype: "", params: [] };
  if (lx.peek() !== "/") return broken;
  lx.pos++;
  lx.skipLwsp();
  const subtype = lx.token();
  if (subtype === "" || lx.done) return { type, subtype, params: [] };
  return { type, subtype, params: mergeRfc2231(rawParams(lx)) };
}

export function parseDisposition(value: string): { type: string; params: Array<[string, string]> } | null {
  const lx = new Rfc822Lexer(value);
  lx.skipLwsp();
  const type = lx.token();
  if (type === "") return null;
  return { type, params: mergeRfc2231(rawParams(lx)) };
}

/** Content-Transfer-Encoding: one token and nothing else, or null. */
export function parseEncoding(value: string): string | null {
  const lx = new Rfc822Lexer(value);
  lx.skipLwsp();
  const t = lx.token();
  lx.skipLwsp();
  return t !== "" && lx.done ? t : null;
}

export function parseLanguage(value: string): string[] | null {
  const lx = new Rfc822Lexer(value);
  const out: string[] = [];
  lx.skipLwsp();
  for (;;) {
    const a = lx.atom();
    if (a === "") break;
    out.push(a);
    lx.skipLwsp();
    if (lx.peek() !== ",") break;
    lx.pos++;
    lx.skipLwsp();
  }
  return out.length ? out : null;
}

export function paramValue(params: Array<[string, string]>, name: string): string | null {
  for (const [k, v] of params) if (k.toLowerCase() === name) return v;
  return null;
}
