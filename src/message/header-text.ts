// Header value helpers, byte-for-byte like Dovecot's imap-quote.c, on "binary" strings.

/** Dovecot's imap_append_string_for_humans: whitespace runs (SP, TAB, CR, LF) become one
 * space, leading and trailing whitespace go, NUL becomes 0x80. Used for Subject and names. */
export function forHumans(s: string): string {
  let out = "";
  let lastLwsp = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) {
      if (!lastLwsp) out += " ";
      lastLwsp = true;
    } else {
      out += c === 0 ? "\x80" : s[i];
      lastLwsp = false;
    }
  }
  return lastLwsp && out.endsWith(" ") ? out.slice(0, -1) : out;
}

/** Dovecot's _nolf: CR and LF removed (folded headers become one line). */
export function noLf(s: string): string {
  return s.includes("\r") || s.includes("\n") ? s.replace(/[\r\n]/g, "") : s;
}
