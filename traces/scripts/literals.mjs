import { lit } from "../lib/lit.mjs";

// Literals: synchronising and non-synchronising (LITERAL+) literals in APPEND, in mailbox
// names and search strings; MULTIAPPEND; 8-bit data; a literal that looks like a literal.
export default [
  ["a", "A1 SELECT INBOX"],
  ["a", `A2 APPEND INBOX ${lit("Subject: sync literal\r\n\r\nHas {3}\r\nin the body\r\n")}`],
  ["a", `A3 APPEND INBOX (\\Seen \\Flagged) "05-Mar-2024 12:00:00 +0100" ${lit("Subject: literal+\r\n\r\nLITERAL+\r\n", true)}`],
  ["a", `A4 APPEND INBOX ${lit("Subject: one\r\n\r\nOne\r\n", true)} ${lit("Subject: two\r\n\r\nTwo\r\n")}`],
  ["a", `A5 CREATE ${lit("lit-named")}`],
  ["a", `A6 STATUS ${lit("lit-named", true)} (MESSAGES)`],
  ["a", `A7 SEARCH SUBJECT ${lit("literal")}`],
  ["a", `A8 APPEND INBOX ${lit("Subject: 8bit\r\n\r\nCaf\xe9 cr\xe8me \xfc\r\n")}`],
  ["a", "A9 FETCH 9:* (UID FLAGS RFC822.SIZE BODY.PEEK[])"],
  ["a", "A10 DELETE lit-named"],
  ["a", "A11 LOGOUT"],
];
