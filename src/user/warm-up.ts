// Run once while the user process's startup snapshot is built (snapshot-entry.ts): V8 keeps the
// bytecode of every function that ran by then in the snapshot, where functions that never ran
// are compiled again in each process that first calls them. The command parser is pure, so its
// rules for what clients send first (and most) are run here; the engine itself cannot run at
// build time (it needs SQLite, a native addon, and the mail).
import { parseCommand } from "../protocol/parse.js";

const COMMANDS = [
  "a CAPABILITY", "a NOOP", "a ID (\"name\" \"client\" \"version\" \"1.0\")", "a ENABLE CONDSTORE QRESYNC",
  "a NAMESPACE", "a LIST \"\" \"*\"", "a LIST (SUBSCRIBED) \"\" \"%\" RETURN (CHILDREN STATUS (MESSAGES))",
  "a LSUB \"\" *", "a STATUS INBOX (MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN HIGHESTMODSEQ)",
  "a SELECT INBOX", "a SELECT \"Sent Items\" (CONDSTORE)", "a EXAMINE one", "a CHECK", "a UNSELECT", "a CLOSE",
  "a FETCH 1:* (FLAGS)", "a UID FETCH 1:* (UID FLAGS RFC822.SIZE INTERNALDATE) (CHANGEDSINCE 12)",
  "a UID FETCH 5,7:9 (BODY.PEEK[HEADER.FIELDS (FROM TO CC SUBJECT DATE MESSAGE-ID)] ENVELOPE BODYSTRUCTURE)",
  "a FETCH 3 (BODY[] BODY.PEEK[1.2.MIME] BODY[TEXT]<0.2048> BINARY.PEEK[1] RFC822.HEADER)",
  "a UID STORE 1:5 +FLAGS.SILENT (\\Seen \\Flagged)", "a STORE 2 FLAGS (\\Deleted)",
  "a UID STORE 4 (UNCHANGEDSINCE 9) -FLAGS ($Junk)", "a UID SEARCH UNSEEN UNDELETED",
  "a SEARCH CHARSET UTF-8 OR FROM \"x\" SUBJECT \"y\" SINCE 1-Jan-2020 NOT LARGER 10000",
  "a UID SEARCH RETURN (MIN MAX COUNT) TEXT \"hello\"", "a UID SORT (REVERSE DATE) UTF-8 ALL",
  "a UID THREAD REFERENCES UTF-8 ALL", "a EXPUNGE", "a UID EXPUNGE 1:3", "a IDLE",
  "a UID COPY 1:2 Trash", "a UID MOVE 3 Archive", "a CREATE foo/bar", "a DELETE foo", "a RENAME a b",
  "a SUBSCRIBE a", "a UNSUBSCRIBE a", "a LOGOUT",
];

export function warmUp(): void {
  for (const line of COMMANDS) {
    try {
      parseCommand({ line: Buffer.from(line, "latin1"), literals: [] });
    } catch {
      // a command this server does not parse still warmed the rules it went through
    }
  }
}
