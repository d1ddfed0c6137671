// The benchmark's command mix: 2,000 commands, three FETCH/UID FETCH/STORE/SEARCH-heavy client
// lines (Thunderbird and imapflow style) for every command re-sent from the recorded traces.
// Shared by main.ts (the published figures) and ab.ts (A/B of parser builds).

import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { Framer, type Frame } from "../../src/protocol/framer.js";
import { parseCommand } from "../../src/protocol/parse.js";

/** The old server's recorded sessions, kept in the repository (run the bench from its root). */
export function traceDir(): string | undefined {
  const d = resolve("test/fixtures/asimap-traces");
  return existsSync(d) ? d : undefined;
}

/** Complete client commands (CRLF-terminated, literals inline) from the recorded traces. */
export function traceCommands(): Buffer[] {
  const dir = traceDir();
  if (!dir) return [];
  const out: Buffer[] = [];
  for (const sc of readdirSync(dir)) {
    const f = join(dir, sc, "wire.jsonl");
    if (!existsSync(f)) continue;
    const byConn = new Map<string, Buffer[]>();
    for (const l of readFileSync(f, "utf8").split("\n")) {
      if (!l) continue;
      const r = JSON.parse(l) as { conn: string; dir: string; data: string };
      if (r.dir === "C") (byConn.get(r.conn) ?? byConn.set(r.conn, []).get(r.conn)!).push(Buffer.from(r.data, "latin1"));
    }
    for (const chunks of byConn.values()) {
      const framer = new Framer();
      const all = Buffer.concat(chunks);
      framer.push(all);
      // re-serialise each parsable frame as the client sent it
      for (let e = framer.next(); e !== null; e = framer.next()) {
        if (e.kind !== "frame") continue;
        try { parseCommand(e.frame); } catch { continue; }
        const parts: Buffer[] = [];
        const text = e.frame.line.toString("latin1");
        let li = 0;
        let last = 0;
        for (const m of text.matchAll(/~?\{(\d+)\+?\}/g)) {
          const end = m.index! + m[0].length;
          parts.push(Buffer.from(text.slice(last, end).replace(/\}$/, "") .replace(/([^+])$/, "$1") + (m[0].endsWith("+}") ? "}" : "+}") + "\r\n", "latin1"));
          parts.push(e.frame.literals[li++]);
          last = end;
        }
        parts.push(Buffer.from(text.slice(last) + "\r\n", "latin1"));
        out.push(Buffer.concat(parts));
      }
    }
  }
  return out;
}

/** FETCH/UID FETCH/STORE/SEARCH-heavy lines as mail clients send them. */
export const SYNTHETIC = [
  "a1 UID FETCH 1:* (UID FLAGS)",
  "a2 UID FETCH 4821:4890 (UID RFC822.SIZE FLAGS BODY.PEEK[HEADER.FIELDS (From To Cc Bcc Subject Date Message-ID Priority X-Priority References Newsgroups In-Reply-To Content-Type Reply-To)])",
  "a3 UID FETCH 4890 (UID RFC822.SIZE BODY.PEEK[])",
  "a4 FETCH 1:50 (FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE)",
  "a5 UID STORE 4881,4883:4885 +FLAGS.SILENT (\\Seen)",
  "a6 STORE 12 -FLAGS (\\Flagged $Important)",
  "a7 UID SEARCH UNDELETED UNSEEN SINCE 1-Mar-2024",
  "a8 SEARCH OR FROM alice SUBJECT \"quarterly report\" NOT DELETED",
  "a9 UID FETCH 1:* (FLAGS) (CHANGEDSINCE 12345 VANISHED)",
  "a10 NOOP",
  "a11 UID FETCH 4890 (BODY.PEEK[1.2]<0.2048> BINARY.PEEK[2] BODY.PEEK[1.MIME])",
  "a12 IDLE",
  "a13 UID MOVE 4800:4810 Trash",
  "a14 STATUS \"Sent Items\" (MESSAGES UNSEEN UIDNEXT HIGHESTMODSEQ)",
].map((s) => Buffer.from(s + "\r\n", "latin1"));

export interface Mix {
  /** the whole mix as one byte stream, as a client would send it */
  stream: Buffer;
  /** the same, framed once (to separate parser cost from framer cost) */
  frames: Frame[];
  traceCount: number;
  avgBytes: number;
}

export function buildMix(): Mix {
  const traces = traceCommands();
  // the mix: 3 synthetic FETCH/STORE/SEARCH-heavy commands for every trace command
  const mix: Buffer[] = [];
  for (let i = 0; mix.length < 2000; i++) {
    mix.push(SYNTHETIC[i % SYNTHETIC.length], SYNTHETIC[(i * 7 + 3) % SYNTHETIC.length], SYNTHETIC[(i * 5 + 1) % SYNTHETIC.length]);
    if (traces.length) mix.push(traces[i % traces.length]);
  }
  const stream = Buffer.concat(mix);
  const f = new Framer();
  f.push(stream);
  const frames: Frame[] = [];
  for (let e = f.next(); e !== null; e = f.next()) if (e.kind === "frame") frames.push(e.frame);
  return { stream, frames, traceCount: traces.length, avgBytes: stream.length / mix.length };
}
