// Every post-login client command recorded from the old server's scenarios (fixtures, errors,
// idle), replayed against the engine: each gets its tagged answer, none is an internal error,
// the connection survives bad input, and every BODY[] literal is as long as RFC822.SIZE says.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { useServer } from "./setup.js";
import type { RawClient } from "./harness.js";
import { OLD_TRACES } from "../fixtures/paths.js";

const t = useServer();

interface Rec { conn: string; dir: string; data: string }

function clientLines(scenario: string): Map<string, string[]> {
  const recs = readFileSync(`${OLD_TRACES}/${scenario}/wire.jsonl`, "utf8")
    .split("\n").filter(Boolean).map((l) => JSON.parse(l) as Rec);
  const byConn = new Map<string, string[]>();
  const loggedIn = new Set<string>();
  for (const r of recs) {
    if (r.dir !== "C") continue;
    if (!loggedIn.has(r.conn)) {
      if (/^\S+ LOGIN tester "?secret"?\r\n$/i.test(r.data)) loggedIn.add(r.conn);
      continue;
    }
    byConn.set(r.conn, [...(byConn.get(r.conn) ?? []), r.data]);
  }
  return byConn;
}

/** Sends the recorded bytes command by command: waits for `+` at synchronising literals and
 *  for the tagged response at the end of each command. */
async function replay(c: RawClient, lines: string[]): Promise<string[]> {
  const stream = Buffer.from(lines.join(""), "latin1");
  const all: string[] = [];
  let pos = 0;
  let idleTag: string | null = null;
  while (pos < stream.length) {
    const cmdStart = pos;
    let tag: string | null = null;
    for (;;) {
      const lf = stream.indexOf(10, pos);
      const end = lf < 0 ? stream.length : lf + 1;
      const line = stream.toString("latin1", pos, end);
      if (pos === cmdStart) tag = /^(\S+) /.exec(line)?.[1] ?? null;
      c.write(stream.subarray(pos, end));
      pos = end;
      const m = /\{(\d+)(\+?)\}\r\n$/.exec(line);
      if (!m) break;
      if (m[2] !== "+") {
        const next = await c.next();
        all.push(next);
        if (!next.startsWith("+")) break;
      }
      c.write(stream.subarray(pos, pos + Number(m[1])));
      pos += Number(m[1]);
    }
    const text = stream.toString("latin1", cmdStart, pos);
    if (idleTag !== null && text.trim().toUpperCase() === "DONE") {
      const r = await c.reply(idleTag);
      all.push(...r.untagged, r.tagged);
      idleTag = null;
      continue;
    }
    if (/^\S+ IDLE\r\n$/i.test(text)) {
      idleTag = tag;
      all.push(...(await c.until(/^\+/)));
      continue;
    }
    if (tag === null || text.trim() === "") continue;
    const r = await c.reply(tag).catch((e: Error) => {
      throw new Error(`${e.message} after ${JSON.stringify(text.slice(0, 200))}; got ${JSON.stringify(all.slice(-3))}`);
    });
    all.push(...r.untagged, r.tagged);
    if (/^\S+ LOGOUT/i.test(text)) break;
  }
  return all;
}

function checkBodies(lines: string[]): void {
  for (const l of lines) {
    const size = /RFC822\.SIZE (\d+) BODY\[\] \{(\d+)\}/.exec(l);
    if (size) expect(Number(size[2])).toBe(Number(size[1]));
  }
}

describe("recorded client commands", () => {
  for (const scenario of ["fixtures", "errors", "idle"]) {
    it(`${scenario}: every command answered, no internal errors`, async () => {
      for (const [conn, lines] of clientLines(scenario)) {
        const c = await t.connect();
        const out = await replay(c, lines);
        expect(out.filter((l) => /SERVERBUG|Internal error/.test(l)), `${scenario}/${conn}`).toEqual([]);
        checkBodies(out);
        c.close();
      }
    });
  }
});
