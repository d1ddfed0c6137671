import { lit } from "../lib/lit.mjs";

// The update rules across sessions (RFC 3501 §7.4.1, RFC 9051 §7.5): two connections on INBOX;
// what one does (STORE, APPEND, COPY, MOVE, EXPUNGE) reaches the other at its next command,
// \Recent goes to one session only, EXPUNGE is never sent during FETCH/STORE/SEARCH.
export default [
  ["a", "A1 SELECT INBOX"],
  ["b", "B1 SELECT INBOX"],
  ["a", "A2 STORE 1 +FLAGS (\\Flagged)"],
  ["b", "B2 NOOP"],
  ["a", "A3 STORE 2:3 +FLAGS.SILENT (\\Deleted)"],
  ["b", "B3 FETCH 1:4 (FLAGS)"],
  ["a", "A4 EXPUNGE"],
  ["b", "B4 FETCH 1 (FLAGS)"],
  ["b", "B5 NOOP"],
  ["b", `B6 APPEND INBOX (\\Seen) ${lit("Subject: appended by b\r\n\r\nBody from B.\r\n")}`],
  ["a", "A5 NOOP"],
  ["a", "A6 UID STORE 1:* +FLAGS (\\Answered)"],
  ["b", "B7 UID FETCH 1:* (FLAGS)"],
  ["c", "C1 SELECT one"],
  ["c", "C2 COPY 1:2 INBOX"],
  ["c", "C3 UID MOVE 3 INBOX"],
  ["a", "A7 CHECK"],
  ["b", "B8 STATUS INBOX (MESSAGES RECENT UNSEEN)"],
  ["c", "C4 FETCH 1:3 (UID)"],
  ["a", "A8 STORE 1 -FLAGS (\\Flagged)"],
  ["b", "B9 SEARCH FLAGGED"],
  ["a", "A9 CLOSE"],
  ["b", "B10 NOOP"],
  ["a", "A10 LOGOUT"],
  ["b", "B11 LOGOUT"],
  ["c", "C5 LOGOUT"],
];
