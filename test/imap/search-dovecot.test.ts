// SEARCH answers compared with Dovecot's on the same messages: the fixture folders as they are
// and generated messages (encoded subjects, named and bare addresses, dates in four zones, some
// missing or unparseable). Keys that depend on the server's local zone (BEFORE/ON/SINCE: ours
// use INTERNALDATE's UTC day, Dovecot its local one) or on a missing Date field (Dovecot takes
// it as 1-Jan-1970, we as no day: see search-keys.test.ts) are left out.
import { describe, it } from "vitest";
import { compareWithDovecot } from "./search-oracle.js";
import { fixtureFolder, generated } from "../sync/corpus.js";

const COMMANDS = [
  ...["alice", "bob", "example.com", "person", "\"Person Bob\"", "b.example>", "<zed@", "\"alice@example.com\"", "@"].flatMap((n) => [
    `SEARCH FROM ${n}`, `SEARCH TO ${n}`, `SEARCH CC ${n}`, `UID SEARCH OR FROM ${n} CC ${n}`,
  ]),
  ...["re:", "meeting", "\"lunch plans\"", "ünïcode", "straße", "[x]", "fwd", "\"  \"", "\"report q3\""].flatMap((s) => [
    `SEARCH CHARSET UTF-8 SUBJECT ${s.startsWith("\"") ? s : `"${s}"`}`,
    `SEARCH CHARSET UTF-8 HEADER SUBJECT ${s.startsWith("\"") ? s : `"${s}"`}`,
  ]),
  ...["1-Mar-2024", "2-Mar-2024", "3-Mar-2024", "4-Mar-2024"].flatMap((d) => [
    `SEARCH SENTON ${d}`, `SEARCH SENTSINCE ${d}`, `SEARCH SENTSINCE 1-Jan-1980 SENTBEFORE ${d}`,
  ]),
  "SEARCH SENTSINCE 1-Jan-1980", "SEARCH SENTSINCE 1-Jan-2000 NOT SENTON 2-Mar-2024",
  'SEARCH HEADER MESSAGE-ID "gen.example"', 'SEARCH HEADER REFERENCES "missing"', 'SEARCH HEADER IN-REPLY-TO ""',
  'SEARCH HEADER FROM ""', 'SEARCH HEADER DATE "+0530"', "SEARCH LARGER 300", "SEARCH SMALLER 200",
  "SEARCH NOT FROM alice", "SEARCH OR TO bob NOT CC carol", "SEARCH BODY xxxx", "SEARCH TEXT alice",
];

// Dovecot is a test dependency (.ci/run installs dovecot-imapd): without it this fails, never skips.
describe("SEARCH as Dovecot answers it", () => {
  for (const folder of ["inbox", "one", "problems"]) {
    it(`fixture folder ${folder}`, async () => {
      await compareWithDovecot(fixtureFolder(folder), COMMANDS);
    });
  }
  for (const seed of [1, 2, 3, 4]) {
    it(`generated messages, seed ${seed}`, async () => {
      await compareWithDovecot(generated(seed, 60), COMMANDS);
    });
  }
});
