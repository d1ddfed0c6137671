// The full-text index only narrows: SEARCH with it and SEARCH without it (the scan) return the
// same UIDs, for every key the index answers and their combinations with OR, NOT and flags,
// on generated mail in many charsets and encodings, while real nmh (inc, rmm, refile) adds and
// removes messages and the background indexer is part way through.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { RawClient, startServer } from "../imap/harness.js";
import { makeMhHome } from "../store/helpers.js";
import type { FtsIndexer } from "../../src/imap/fts/fts-indexer.js";
import { message, needle } from "./mail-gen.js";

const KEYS = ["TEXT", "BODY", "SUBJECT", "FROM", "TO", "CC", "BCC", "HEADER X-Tag", "HEADER Subject"];

const lit = (s: string) => { const b = Buffer.from(s, "utf8"); return Buffer.concat([Buffer.from(`{${b.length}+}\r\n`), b]); };

/** A SEARCH key tree over needles, as the bytes of a command's arguments. */
const leaf = fc.tuple(fc.constantFrom(...KEYS), needle).map(([k, n]) => [Buffer.from(`${k} `), lit(n)]);
const query: fc.Arbitrary<Buffer[]> = fc.letrec<{ q: Buffer[] }>((tie) => ({
  q: fc.oneof({ depthSize: "small", withCrossShrink: true },
    leaf,
    leaf,
    fc.tuple(tie("q"), tie("q")).map(([a, b]) => [Buffer.from("OR ("), ...a, Buffer.from(") ("), ...b, Buffer.from(")")]),
    tie("q").map((a) => [Buffer.from("NOT ("), ...a, Buffer.from(")")]),
    fc.tuple(tie("q"), fc.constantFrom("FLAGGED", "UNSEEN", "SEEN", "ALL")).map(([a, f]) => [...a, Buffer.from(` ${f}`)]),
    fc.tuple(tie("q"), tie("q")).map(([a, b]) => [...a, Buffer.from(" "), ...b]),
  ),
})).q;

const mails = (from: number, n: number) => fc.tuple(...Array.from({ length: n }, (_, i) => message(from + i)));

async function searchUids(c: RawClient, q: Buffer[]): Promise<string> {
  const r = await c.cmd(Buffer.concat([Buffer.from("UID SEARCH CHARSET UTF-8 "), ...q]));
  expect(r.tagged).toMatch(/^T\d+ OK/);
  return r.untagged.find((l) => l.startsWith("* SEARCH")) ?? "";
}

describe("SEARCH with the full-text index", () => {
  it("answers as the scan does, while nmh adds and removes messages", async () => {
    await fc.assert(fc.asyncProperty(mails(1, 10), mails(100, 6), fc.array(query, { minLength: 12, maxLength: 12 }), fc.array(fc.nat(15), { maxLength: 4 }),
      async (first, later, queries, removals) => {
        const h = makeMhHome();
        const srv = await startServer(h.root, { fts: { enabled: true } });
        const fts = (srv.server as unknown as { fts: FtsIndexer }).fts;
        const c = await RawClient.connect(srv.port);
        try {
          h.mh("inc", "+inbox", "-file", h.mbox(first), "-notruncate", "-silent");
          h.mh("folder", "-create", "+other");
          expect((await c.cmd("SELECT INBOX")).tagged).toMatch(/OK/);
          await c.cmd("STORE 1:3 +FLAGS (\\Flagged)");
          await c.cmd("STORE 2:5 +FLAGS (\\Seen)");
          const compare = async (qs: Buffer[][]) => {
            await c.cmd("NOOP");
            for (const q of qs) {
              const indexed = await searchUids(c, q);
              // the same keys as NOT NOT: the index narrows no NOT, so this is the scan
              const scanned = await searchUids(c, [Buffer.from("NOT (NOT ("), ...q, Buffer.from("))")]);
              expect(indexed, Buffer.concat(q).toString()).toBe(scanned);
            }
          };
          await compare(queries.slice(0, 4)); // nothing indexed yet
          await searchUids(c, [Buffer.from("TEXT quokka")]); // a SEARCH the index answers starts indexing
          await fts.idle();
          expect(fts.index.size).toBe(first.length); // every message has its row: the index is what answers
          await compare(queries.slice(0, 8)); // all indexed
          // nmh: new mail (not yet indexed), removed and refiled messages
          h.mh("inc", "+inbox", "-file", h.mbox(later), "-notruncate", "-silent");
          const nums = [...new Set(removals.map((r) => 1 + (r % 16)))];
          if (nums.length) h.mh("rmm", "+inbox", ...nums.slice(0, 2).map(String));
          if (nums.length > 2) {
            try { h.mh("refile", "-src", "+inbox", ...nums.slice(2).map(String), "+other"); } catch { /* gone already */ }
          }
          await compare(queries.slice(4)); // some indexed, some not, indexer running
          await fts.idle();
          await compare(queries);
        } finally {
          c.close();
          await srv.close();
          h.cleanup();
        }
      }), { numRuns: 6, endOnFailure: true });
  }, 300_000);
});
