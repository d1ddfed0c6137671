// The system under test for the model-based tests: a fresh MH root (INBOX only), the IMAP engine
// in-process behind a real TCP listener, two command connections and one checker connection,
// nmh commands run for real against the same root, and readers for what is on disk.
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { parseSequences } from "../../src/mh/sequences.js";
import net from "node:net";
import { createUserServer } from "../../src/imap/user-server.js";
import type { Handoff } from "../../src/protocol/handoff.js";
import { RawClient, silentLogger, type Running } from "../imap/harness.js";

const run = promisify(execFile);
export const NMH = "/usr/bin/mh";
export const FLAGS = ["\\Seen", "\\Answered", "\\Flagged", "\\Deleted", "\\Draft", "todo"] as const;
export const NAMES = ["a", "b", "c"] as const;

/** One message as the model knows it: `id` is written in its X-Model-Id header. */
export interface MMsg { id: number; uid: number; flags: Set<string> }
export interface MBox { uidNext: number; uidValidity: number; msgs: MMsg[] }
export interface Model {
  boxes: Map<string, MBox>;
  /** which mailbox each command connection has selected (null: none) */
  selected: (string | null)[];
  nextId: number;
  /** UIDVALIDITY/UIDNEXT a deleted name had: a new mailbox of that name may not reuse its UIDs */
  dead: Map<string, { uidValidity: number; uidNext: number }>;
}

export interface World {
  home: string;
  root: string;
  env: NodeJS.ProcessEnv;
  srv: Running;
  conns: RawClient[];
  checker: RawClient;
  /** a log of what was done, printed on failure */
  log: string[];
  close(): Promise<void>;
}

/** The engine behind a TCP listener (no Nagle delay, as the root process sets it), user `tester`. */
export async function startServer(root: string): Promise<Running> {
  const server = await createUserServer({ username: "tester", maildir: root, logger: silentLogger });
  const sockets = new Set<net.Socket>();
  const listener = net.createServer((sock) => {
    sock.setNoDelay(true);
    sockets.add(sock);
    sock.on("close", () => sockets.delete(sock));
    const handoff: Handoff = { v: 1, user: "tester", remote: `${sock.remoteAddress}:${sock.remotePort}`, tag: "L0", command: "LOGIN", tls: false };
    server.attach(sock, handoff);
  });
  await new Promise<void>((r) => listener.listen(0, "127.0.0.1", r));
  return {
    server,
    port: (listener.address() as net.AddressInfo).port,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => listener.close(() => r()));
      await server.shutdown();
    },
  };
}

export function messageText(id: number): string {
  return `X-Model-Id: ${id}\r\nSubject: model message ${id}\r\nFrom: m@example.org\r\n\r\nbody of ${id}\r\n`;
}

export async function makeWorld(connections = 2): Promise<World> {
  const home = mkdtempSync(join(tmpdir(), "asimap-model-"));
  const root = join(home, "Mail");
  mkdirSync(join(root, "inbox"), { recursive: true });
  const profile = join(home, ".mh_profile");
  writeFileSync(profile, `Path: ${root}\nUnseen-Sequence: unseen\n`);
  process.env.MH = profile; // the in-process store reads the profile for the unseen sequence
  const env = { ...process.env, HOME: home, MH: profile };
  const srv = await startServer(root);
  const conns: RawClient[] = [];
  for (let i = 0; i < connections; i++) conns.push(await RawClient.connect(srv.port));
  const checker = await RawClient.connect(srv.port);
  const w: World = {
    home, root, env, srv, conns, checker, log: [],
    async close() {
      for (const c of [...w.conns, w.checker]) c.close();
      await srv.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
  return w;
}

export async function initialModel(w: World, connections = 2): Promise<Model> {
  // the store makes the special-use mailboxes (Drafts, Sent Messages, ...) at its first start
  const list = await w.checker.cmd('LIST "" "*"');
  const boxes = new Map<string, MBox>();
  for (const l of list.untagged.filter((x) => x.startsWith("* LIST"))) {
    const name = /"\/" (.*)$/.exec(l)![1].replace(/"/g, "");
    const st = await status(w.checker, `"${name}"`);
    if (st.messages !== 0) throw new Error(`${name} is not empty at the start`);
    boxes.set(name, { uidNext: st.uidNext, uidValidity: st.uidValidity, msgs: [] });
  }
  // both command connections start with INBOX selected
  for (let i = 0; i < connections; i++) {
    const r = await w.conns[i].cmd("SELECT INBOX");
    if (!/^T\d+ OK/.test(r.tagged)) throw new Error(`SELECT INBOX: ${r.tagged}`);
  }
  return {
    boxes,
    selected: Array.from({ length: connections }, () => "INBOX"),
    nextId: 1,
    dead: new Map(),
  };
}

export async function nmh(w: World, cmd: string, ...args: string[]): Promise<void> {
  w.log.push(`nmh ${cmd} ${args.join(" ")}`);
  await run(join(NMH, cmd), args, { env: w.env });
}

export function folderOf(name: string): string {
  return name === "INBOX" ? "inbox" : name;
}

/** The folder's messages on disk, by MH number: number → X-Model-Id. */
export function diskMessages(w: World, name: string): Map<number, number> {
  const dir = join(w.root, folderOf(name));
  const out = new Map<number, number>();
  for (const f of readdirSync(dir)) {
    if (!/^[0-9]+$/.test(f)) continue;
    const text = readFileSync(join(dir, f), "latin1");
    const m = /^X-Model-Id: (\d+)$/m.exec(text);
    if (!m) throw new Error(`${name}/${f} has no X-Model-Id header: ${JSON.stringify(text.slice(0, 200))}`);
    // a half-written file would lack its body line
    if (!text.includes(`body of ${m[1]}`)) throw new Error(`${name}/${f} is incomplete`);
    out.set(Number(f), Number(m[1]));
  }
  return out;
}

/** Flags as the files say: `.mh_sequences` mapped the way DESIGN.md maps them. */
export function diskFlags(w: World, name: string, num: number): Set<string> {
  const file = join(w.root, folderOf(name), ".mh_sequences");
  const seqs = existsSync(file) ? parseSequences(readFileSync(file, "utf8")) : new Map<string, Set<number>>();
  const has = (s: string) => seqs.get(s)?.has(num) ?? false;
  const out = new Set<string>();
  if (!has("unseen")) out.add("\\Seen");
  if (has("replied")) out.add("\\Answered");
  if (has("flagged")) out.add("\\Flagged");
  if (has("Deleted")) out.add("\\Deleted");
  if (has("Draft")) out.add("\\Draft");
  if (has("todo")) out.add("todo");
  return out;
}

export async function status(c: RawClient, name: string): Promise<{ messages: number; uidNext: number; uidValidity: number }> {
  const r = await c.cmd(`STATUS ${name} (MESSAGES UIDNEXT UIDVALIDITY)`);
  if (!/^T\d+ OK/.test(r.tagged)) throw new Error(`STATUS ${name}: ${r.tagged}`);
  const line = r.untagged.find((l) => l.startsWith("* STATUS"))!;
  const num = (k: string) => Number(new RegExp(`${k} (\\d+)`).exec(line)![1]);
  return { messages: num("MESSAGES"), uidNext: num("UIDNEXT"), uidValidity: num("UIDVALIDITY") };
}

/** `1:3,7` → [1,2,3,7] */
export function expandSet(s: string): number[] {
  const out: number[] = [];
  for (const part of s.split(",")) {
    const [a, b] = part.split(":").map(Number);
    if (b === undefined) out.push(a);
    else for (let i = Math.min(a, b); i <= Math.max(a, b); i++) out.push(i);
  }
  return out;
}

export function flagsOf(line: string): Set<string> {
  const m = /FLAGS \(([^)]*)\)/.exec(line);
  return new Set((m ? m[1].split(" ").filter(Boolean) : []).filter((f) => f !== "\\Recent"));
}

export function show(s: Set<string>): string {
  return [...s].sort().join(" ");
}
