// A small RFC 822/2045 lexer over a "binary" string (one char per byte, as Dovecot's
// rfc822-parser sees bytes): comments, quoted strings, atoms, MIME tokens, dot-atoms.

const SPECIALS = '()<>@,;:\\".[]';
const TSPECIALS = '()<>@,;:\\"/[]?=';

function isCtlOrSpace(c: number): boolean {
  return c <= 32 || c === 127;
}

export function isAtext(c: number): boolean {
  // 8-bit bytes count as atext, as in Dovecot, so raw UTF-8 names survive.
  return !isCtlOrSpace(c) && !SPECIALS.includes(String.fromCharCode(c));
}

export function isTokenChar(c: number): boolean {
  return !isCtlOrSpace(c) && !TSPECIALS.includes(String.fromCharCode(c));
}

export class Rfc822Lexer {
  pos = 0;
  /** the text of the last comment skipped, for "addr (Name)" display names */
  lastComment: string | null = null;

  constructor(readonly s: string) {}

  get done(): boolean {
    return this.pos >= this.s.length;
  }

  peek(): string {
    return this.s[this.pos] ?? "";
  }

  /** Skip whitespace and (nested) comments. Returns false on an unterminated comment. */
  skipLwsp(): boolean {
    const s = this.s;
    for (;;) {
      const c = s.charCodeAt(this.pos);
      if (c === 32 || c === 9 || c === 10 || c === 13) {
        this.pos++;
      } else if (c === 40) {
        if (!this.skipComment()) return false;
      } else {
        return true;
      }
    }
  }

  private skipComment(): boolean {
    const s = this.s;
    let depth = 0;
    const start = this.pos + 1;
    let text = "";
    let seg = start;
    for (; this.pos < s.length; this.pos++) {
      const ch = s[this.pos];
      if (ch === "(") depth++;
      else if (ch === ")") {
        depth--;
        if (depth === 0) {
          text += s.slice(seg, this.pos);
          this.pos++;
          this.lastComment = text;
          return true;
        }
      } else if (ch === "\\" && this.pos + 1 < s.length) {
        text += s.slice(seg, this.pos);
        this.pos++;
        seg = this.pos;
      }
    }
    this.lastComment = text + s.slice(seg);
    return false;
  }

  /** A quoted string at pos (which must be '"'), unescaped; null if unterminated. */
  quoted(): string | null {
    const s = this.s;
    let out = "";
    let seg = ++this.pos;
    for (; this.pos < s.length; this.pos++) {
      const ch = s[this.pos];
      if (ch === '"') {
        out += s.slice(seg, this.pos);
        this.pos++;
        return out;
      }
      if (ch === "\\" && this.pos + 1 < s.length) {
        out += s.slice(seg, this.pos);
        this.pos++;
        seg = this.pos;
      } else if (ch === "\r" || ch === "\n") {
        out += s.slice(seg, this.pos);
        seg = this.pos + 1;
      }
    }
    out += s.slice(seg);
    return null;
  }

  private run(pred: (c: number) => boolean): string {
    const start = this.pos;
    while (this.pos < this.s.length && pred(this.s.charCodeAt(this.pos))) this.pos++;
    return this.s.slice(start, this.pos);
  }

  atom(): string {
    return this.run(isAtext);
  }

  token(): string {
    return this.run(isTokenChar);
  }

  /** atoms joined by '.', with whitespace/comments allowed around the dots */
  dotAtom(): string {
    let out = this.atom();
    if (out === "") return "";
    for (;;) {
      const save = this.pos;
      this.skipLwsp();
      if (this.peek() !== ".") {
        this.pos = save;
        return out;
      }
      this.pos++;
      this.skipLwsp();
      const a = this.atom();
      out += "." + a;
      if (a === "") return out;
    }
  }

  /** A phrase: words (atoms, quoted strings, obs dots) joined by one space. */
  phrase(): string | null {
    const words: string[] = [];
    for (;;) {
      const save = this.pos;
      if (!this.skipLwsp()) {
        this.pos = save;
        break;
      }
      const ch = this.peek();
      if (ch === '"') {
        const q = this.quoted();
        if (q === null) return null;
        words.push(q);
      } else if (ch === "." && words.length > 0) {
        this.pos++;
        words[words.length - 1] += ".";
      } else {
        const a = this.atom();
        if (a === "") {
          this.pos = save;
          break;
        }
        words.push(a);
      }
    }
    this.skipLwsp();
    return words.length ? words.join(" ") : null;
  }
}
