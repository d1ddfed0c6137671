import { lit } from "../lib/lit.mjs";

// Extensions the server offers beyond those the other scripts use: CONDSTORE/QRESYNC
// (RFC 7162), ESEARCH and SEARCHRES (RFC 4731, 5182), BINARY (RFC 3516), STATUS=SIZE
// (RFC 8438), UIDPLUS (RFC 4315), MOVE (RFC 6851), CREATE-SPECIAL-USE (RFC 6154), ID.
export default [
  ["a", "A1 ENABLE CONDSTORE"],
  ["a", "A2 SELECT INBOX (CONDSTORE)"],
  ["a", "A3 FETCH 1:3 (FLAGS MODSEQ)"],
  ["a", "A4 STORE 1 (UNCHANGEDSINCE 1) +FLAGS (\\Answered)"],
  ["a", "A5 FETCH 1:* (FLAGS) (CHANGEDSINCE 1)"],
  ["a", "A6 SEARCH RETURN (MIN MAX COUNT ALL) UNSEEN"],
  ["a", "A7 UID SEARCH RETURN (SAVE) FLAGGED"],
  ["a", "A8 FETCH $ (UID FLAGS)"],
  ["a", "A9 SEARCH MODSEQ 1"],
  ["a", "A10 FETCH 1 (BINARY.PEEK[1] BINARY.SIZE[1])"],
  ["a", "A11 STATUS one (MESSAGES SIZE HIGHESTMODSEQ)"],
  ["a", `A12 APPEND INBOX ${lit("Subject: uidplus\r\n\r\nUIDPLUS\r\n")}`],
  ["a", "A13 UID COPY 1:2 one"],
  ["a", "A14 STORE 9 +FLAGS.SILENT (\\Deleted)"],
  ["a", "A15 UID EXPUNGE 9"],
  ["a", "A16 MOVE 1 problems"],
  ["a", "A17 CREATE Archive2 (USE (\\Archive))"],
  ["a", 'A18 LIST (SPECIAL-USE) "" "*"'],
  ["a", "A19 DELETE Archive2"],
  ["a", "A20 ENABLE QRESYNC"],
  ["a", "A21 UNSELECT"],
  ["a", "A22 EXAMINE one (QRESYNC (1 1))"],
  ["a", "A23 LOGOUT"],
];
