// An IMAP literal for a script: {n}\r\n<bytes> (plus=true: {n+}, LITERAL+). Text is latin-1.
export const lit = (text, plus = false) => `{${Buffer.byteLength(text, "latin1")}${plus ? "+" : ""}}\r\n${text}`;
