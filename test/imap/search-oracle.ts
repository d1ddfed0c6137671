// Test helpers for SEARCH: a server on a new MH inbox of given messages with INBOX selected,
// the `* SEARCH` line of a command, and our answers compared with Dovecot's on the same messages.
import { expect } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RawClient, startServer, type Running } from "./harness.js";
import { dovecotRun, type OracleMessage } from "../sync/dovecot.js";
import { writeMhInbox } from "../sync/corpus.js";

export const MTIME = Date.UTC(2008, 1, 22, 17, 6, 23) / 1000;
export const msg = (text: string, mtime = MTIME): OracleMessage => ({ data: Buffer.from(text.replace(/\n/g, "\r\n")), mtime });

/** A server on a new MH inbox holding `messages`, with one client that has INBOX selected. */
export async function open(messages: OracleMessage[]): Promise<{ c: RawClient; srv: Running; close(): Promise<void> }> {
  const home = mkdtempSync(join(tmpdir(), "asimap-search-keys-"));
  const root = join(home, "Mail");
  writeMhInbox(root, messages);
  writeFileSync(join(home, ".mh_profile"), `Path: ${root}\n`);
  const srv = await startServer(root);
  const c = await RawClient.connect(srv.port);
  expect((await c.cmd("SELECT INBOX")).tagged).toMatch(/^T\d+ OK/);
  return {
    c, srv,
    async close() {
      c.close();
      await srv.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** The `* SEARCH` line of a command that must succeed. */
export async function searchLine(c: RawClient, cmd: string): Promise<string> {
  const r = await c.cmd(cmd);
  expect(r.tagged, cmd).toMatch(/^T\d+ OK/);
  const lines = r.untagged.filter((l) => l.startsWith("* SEARCH"));
  expect(lines, cmd).toHaveLength(1);
  return lines[0].trimEnd();
}

/** Each command's answer from us and from Dovecot, on the same messages. */
export async function compareWithDovecot(messages: OracleMessage[], commands: string[]): Promise<void> {
  const theirs = dovecotRun(messages, commands, (l) => l.startsWith("* SEARCH")).map((l) => l.trimEnd());
  expect(theirs).toHaveLength(commands.length);
  const s = await open(messages);
  try {
    for (const [i, cmd] of commands.entries()) {
      expect({ cmd, answer: await searchLine(s.c, cmd) }).toEqual({ cmd, answer: theirs[i] });
    }
  } finally {
    await s.close();
  }
}

/** A sequence set as a server wrote it, expanded in its order: `3,2,4:6` → 3 2 4 5 6. */
export function expandSet(set: string): number[] {
  return set.split(",").flatMap((r) => {
    const [x, y] = r.split(":").map(Number);
    return y === undefined ? [x] : Array.from({ length: y - x + 1 }, (_, i) => x + i);
  });
}
