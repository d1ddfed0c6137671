// The full-text index answers BODY, TEXT, SUBJECT, FROM, TO, CC and BCC itself for the messages
// it holds (a phrase query of the needle is a substring test over the very text the matcher
// searches): its answer must be the matcher's on every message. Needles are cut from the
// messages' own decoded text, so most of them hit: across the "\n" that joins parts and header
// fields, across line ends, QP soft breaks and base64 lines, in other case, in many charsets.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { execFileSync } from "node:child_process";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { RawClient, startServer } from "../imap/harness.js";
import { makeMhHome, type MhHome } from "../store/helpers.js";
import type { FtsIndexer } from "../../src/imap/fts/fts-indexer.js";
import { ftsDocument, COLUMNS, type Column } from "../../src/imap/fts/fts-document.js";
import { lines, message, needle as wordNeedle } from "./mail-gen.js";

const lit = (s: string) => { const b = Buffer.from(s, "utf8"); return Buffer.concat([Buffer.from(`{${b.length}+}\r\n`), b]); };

/** Body text with, now and then, a NUL beside a word: it survives as QP's =00 or in base64 (an
 *  8-bit part cannot carry it, inc cuts the message there: see `mailOf`). */
const text = fc.tuple(lines, fc.boolean()).map(([t, nul]) => (nul ? `${t} nul\0here` : t));
const mailOf = (id: number) => message(id, text).map((m) => m.replace(/\0/g, " "));

/** The text each key looks in, as the index holds it. */
const OWN: Record<string, Column[]> = {
  BODY: ["body"], TEXT: ["body", "head"], SUBJECT: ["subject"], FROM: ["from"], TO: ["to"], CC: ["cc"],
  BCC: ["bcc"], "HEADER Subject": ["subject", "hdr"],
};
const KEYS = Object.keys(OWN);

/** How to cut a needle from a message's text: from the key's own text or any other, where
 *  (mostly across a newline: where parts, fields and lines meet), how long, and whether to
 *  change its case (the matcher lower-cases needles). */
const cut = fc.record({
  own: fc.constantFrom(true, true, true, false), col: fc.constantFrom(...COLUMNS), at: fc.nat(),
  nearNewline: fc.constantFrom(true, true, false), back: fc.integer({ min: 0, max: 5 }),
  len: fc.integer({ min: 1, max: 14 }), upper: fc.constantFrom("no", "all", "first"),
});
type Cut = typeof cut extends fc.Arbitrary<infer T> ? T : never;

function needleFrom(key: string, file: Buffer, c: Cut): string {
  const own = OWN[key];
  const col = c.own ? own[c.at % own.length] : c.col;
  const s = [...ftsDocument(file)[col]];
  if (s.length === 0) return "quokka";
  let start = c.at % s.length;
  if (c.nearNewline) {
    const nl = s.flatMap((ch, i) => (ch === "\n" ? [i] : []));
    if (nl.length) start = Math.max(0, nl[c.at % nl.length] - c.back);
  }
  const n = s.slice(start, start + c.len).join("").replace(/[\0\r]/g, "");
  return c.upper === "all" ? n.toUpperCase() : c.upper === "first" ? n.charAt(0).toUpperCase() + n.slice(1) : n;
}

async function searchUids(c: RawClient, q: Buffer[]): Promise<string> {
  const r = await c.cmd(Buffer.concat([Buffer.from("UID SEARCH CHARSET UTF-8 "), ...q]));
  expect(r.tagged, Buffer.concat(q).toString()).toMatch(/^T\d+ OK/);
  return (r.untagged.find((l) => l.startsWith("* SEARCH")) ?? "").trimEnd();
}

/** A server on an inbox of these messages (by real nmh inc), with the index built. */
async function indexed(mails: string[]): Promise<{ h: MhHome; c: RawClient; close(): Promise<void> }> {
  const h = makeMhHome();
  h.mh("inc", "+inbox", "-file", h.mbox(mails), "-notruncate", "-silent");
  const srv = await startServer(h.root, { fts: { enabled: true } });
  const c = await RawClient.connect(srv.port);
  const close = async () => {
    c.close();
    await srv.close();
    h.cleanup();
  };
  try {
    const fts = (srv.server as unknown as { fts: FtsIndexer }).fts;
    expect((await c.cmd("SELECT INBOX")).tagged).toMatch(/OK/);
    await c.cmd("STORE 2:4 +FLAGS (\\Flagged)");
    await searchUids(c, [Buffer.from("BODY quokka")]); // starts the indexing
    await fts.idle();
    expect(fts.index.size).toBe(mails.length); // every message has its row: the index answers
  } catch (e) {
    await close();
    throw e;
  }
  return { h, c, close };
}

describe("the full-text index's exact answers", () => {
  it("are the matcher's, for needles cut from the messages themselves", async () => {
    const mails = fc.tuple(...Array.from({ length: 12 }, (_, i) => mailOf(i + 1)));
    // "nul here": the index must not take a NUL for the space
    const needles = fc.oneof(cut, wordNeedle, fc.constantFrom("nul here", "l h", "nul", "here"));
    const queries = fc.array(fc.tuple(fc.constantFrom(...KEYS), fc.nat(11), needles, fc.constantFrom("", " FLAGGED", " NOT FLAGGED")),
      { minLength: 40, maxLength: 40 });
    await fc.assert(fc.asyncProperty(mails, queries, async (ms, qs) => {
      const { h, c, close } = await indexed(ms);
      try {
        const files = ms.map((_, i) => readFileSync(join(h.root, "inbox", String(i + 1))));
        for (const [key, from, how, also] of qs) {
          const n = typeof how === "string" ? how : needleFrom(key, files[from], how);
          if (n === "") continue;
          const q = [Buffer.from(`${key} `), lit(n), Buffer.from(also)];
          const answered = await searchUids(c, q);
          // under NOT the index answers nothing: this is the matcher reading every message
          const scanned = await searchUids(c, [Buffer.from("NOT (NOT ("), ...q, Buffer.from("))")]);
          expect(answered, `${key} ${JSON.stringify(n)}${also}`).toBe(scanned);
        }
      } finally {
        await close();
      }
    }), { numRuns: 15, endOnFailure: true });
  }, 300_000);

  it("come from the index, not the files, for the messages it holds", async () => {
    const mail = (w: string) => `From: a@b\nTo: c@d\nSubject: s\nMessage-ID: <${w}@x>\n\nthe word ${w} here\n`;
    const { h, c, close } = await indexed([mail("wombat"), mail("wombat"), mail("marmot")]);
    try {
      expect(await searchUids(c, [Buffer.from("BODY wombat")])).toBe("* SEARCH 1 2");
      // message 2's file rewritten in place to say marmot, with its size and mtime kept: still
      // the message the index holds (IMAP messages never change), so the index's answer stands
      // (a candidate the matcher checked would now be left out: it reads the file)
      const path = join(h.root, "inbox", "2");
      const { mtimeNs } = statSync(path, { bigint: true });
      writeFileSync(path, readFileSync(path, "latin1").replace(/wombat/g, "marmot"), "latin1");
      const ns = mtimeNs % 1_000_000_000n;
      execFileSync("touch", ["-m", "-d", `@${mtimeNs / 1_000_000_000n}.${String(ns).padStart(9, "0")}`, path]);
      await c.cmd("NOOP");
      expect(await searchUids(c, [Buffer.from("BODY wombat")])).toBe("* SEARCH 1 2");
      expect(await searchUids(c, [Buffer.from("NOT (NOT (BODY wombat))")])).toBe("* SEARCH 1");
      // a needle the index cannot answer exactly (under three characters) is the matcher's
      expect(await searchUids(c, [Buffer.from("BODY mb")])).toBe("* SEARCH 1");
    } finally {
      await close();
    }
  });
});
