// Just enough IMAP lexing to find mailbox names in commands and STATUS responses: atoms,
// quoted strings (with \" and \\ escapes), literals ({n}\r\n<n bytes>, {n+}, ~{n}) and
// parenthesised lists (returned as one word, verbatim). Never throws: odd input yields words.
export function imapWords(text: string): string[] {
  const words: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === " " || c === "\r" || c === "\n") {
      i++;
    } else if (c === '"') {
      let out = "";
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === "\\" && i + 1 < text.length) i++;
        out += text[i++];
      }
      i++;
      words.push(out);
    } else if (/^~?\{\d+\+?\}\r\n/.test(text.slice(i, i + 24))) {
      const m = /^~?\{(\d+)\+?\}\r\n/.exec(text.slice(i, i + 24))!;
      const start = i + m[0].length;
      words.push(text.slice(start, start + Number(m[1])));
      i = start + Number(m[1]);
    } else if (c === "(" || c === "[") {
      const close = c === "(" ? ")" : "]";
      let depth = 0;
      const start = i;
      for (; i < text.length; i++) {
        if (text[i] === c) depth++;
        else if (text[i] === close && --depth === 0) break;
      }
      i++;
      words.push(text.slice(start, i));
    } else {
      const start = i;
      while (i < text.length && !" \r\n(".includes(text[i])) i++;
      words.push(text.slice(start, i));
    }
  }
  return words;
}

/** INBOX is case-insensitive (RFC 3501 §5.1); every other name is compared as sent. */
export function mailboxKey(name: string): string {
  return name.toUpperCase() === "INBOX" ? "INBOX" : name;
}

/** The command's tag, name (with UID prefix) and arguments. */
export function parseCommand(text: string): { tag: string; name: string; args: string[] } {
  const words = imapWords(text);
  const tag = words[0] ?? "";
  let name = (words[1] ?? "").toUpperCase();
  let args = words.slice(2);
  if (name === "UID" && args.length > 0) {
    name = `UID ${args[0].toUpperCase()}`;
    args = args.slice(1);
  }
  return { tag, name, args };
}

/** The mailbox a command's UIDVALIDITY-bearing responses refer to, if it has one. */
export function commandMailbox(text: string): string | undefined {
  const { name, args } = parseCommand(text);
  switch (name) {
    case "SELECT":
    case "EXAMINE":
    case "APPEND":
    case "STATUS":
      return args[0] === undefined ? undefined : mailboxKey(args[0]);
    case "COPY":
    case "MOVE":
    case "UID COPY":
    case "UID MOVE":
      return args[1] === undefined ? undefined : mailboxKey(args[1]);
    default:
      return undefined;
  }
}
