// The tag and command name of a line, read cheaply without the parser: for error replies (a
// line too long or a literal too large is answered with its tag before it is ever parsed) and
// for IDLE, which must tell a next command from garbage.

const TAG_CHAR = new Uint8Array(256);
for (let c = 0x21; c <= 0x7e; c++) TAG_CHAR[c] = 1;
for (const ch of "(){%*\"\\+") TAG_CHAR[ch.charCodeAt(0)] = 0;

/** The tag of a command line if it has a syntactically valid one. */
export function peekTag(line: Buffer | string): string | undefined {
  const s = typeof line === "string" ? line : line.toString("latin1", 0, Math.min(line.length, 256));
  let i = 0;
  while (i < s.length && TAG_CHAR[s.charCodeAt(i)] === 1) i++;
  if (i === 0 || (i < s.length && s.charCodeAt(i) !== 0x20)) return undefined;
  return s.slice(0, i);
}

/** The upper-cased command name after the tag ("UID FETCH" for UID commands). */
export function peekCommandName(line: Buffer | string): string | undefined {
  const s = typeof line === "string" ? line : line.toString("latin1", 0, Math.min(line.length, 256));
  const words = s.split(" ", 3);
  if (words.length < 2 || peekTag(s) === undefined) return undefined;
  const name = words[1].toUpperCase();
  if (!/^[A-Z0-9.-]+$/.test(name)) return undefined;
  if (name === "UID" && words.length === 3 && /^[A-Za-z]+$/.test(words[2])) return "UID " + words[2].toUpperCase();
  return name;
}
