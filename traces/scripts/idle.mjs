import { lit } from "../lib/lit.mjs";

// IDLE: a waits in IDLE on INBOX while b appends, flags and expunges; a receives the
// untagged updates while idling, then DONE; bad input while idling too.
export default [
  ["a", "A1 SELECT INBOX"],
  ["b", "B1 SELECT INBOX"],
  ["a", "A2 IDLE", "+"],
  ["b", `B2 APPEND INBOX ${lit("Subject: during idle\r\n\r\nHello A.\r\n")}`],
  ["a", null, /^\* \d+ EXISTS/],
  ["b", "B3 STORE 1 +FLAGS (\\Deleted)"],
  ["a", null, /^\* 1 FETCH/],
  ["b", "B4 EXPUNGE"],
  ["a", null, /^\* 1 EXPUNGE/],
  ["a", "DONE", "tagged:A2"],
  ["a", "A3 FETCH 1:* (UID FLAGS)"],
  ["a", "A4 IDLE", "+"],
  ["a", "NOT-DONE", "tagged:A4"],
  ["a", "A5 NOOP"],
  ["a", "A6 LOGOUT"],
  ["b", "B5 LOGOUT"],
];
