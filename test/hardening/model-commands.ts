// fast-check commands for the model-based test: each one runs on the real server (or runs an
// nmh command on the real files), checks the answer against the model, then updates the model.
import fc from "fast-check";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { RawClient } from "../imap/harness.js";
import {
  diskMessages, expandSet, FLAGS, flagsOf, folderOf, messageText, NAMES, nmh, show, status,
  type MBox, type Model, type World,
} from "./model-world.js";

type Cmd = fc.AsyncCommand<Model, World, true>;
const ok = (t: string) => /^T\d+ OK/.test(t);

function pick(box: MBox, idx: number[]): number[] {
  if (box.msgs.length === 0) return [];
  return [...new Set(idx.map((i) => box.msgs[i % box.msgs.length].uid))].sort((a, b) => a - b);
}

/** Brings a connection's view up to date (pending expunges etc. are reported now). */
async function sync(w: World, conn: number): Promise<void> {
  const r = await w.conns[conn].cmd("NOOP");
  expect(r.tagged, "NOOP").toMatch(/^T\d+ OK/);
}

/** Connections that had `name` selected lose it: another connection is told BYE (RFC 3501
 *  leaves this open; we disconnect as Dovecot does); the connection that deleted or renamed its
 *  own mailbox either gets BYE or is back in the authenticated state (BAD for a CHECK). */
async function reconnectSelected(m: Model, w: World, gone: string, actor: number): Promise<void> {
  for (let i = 0; i < m.selected.length; i++) {
    if (m.selected[i] !== gone) continue;
    const c = w.conns[i];
    let r: Awaited<ReturnType<RawClient["cmd"]>> | null = null;
    try {
      r = await c.cmd("CHECK");
    } catch {
      r = null; // closed after the BYE
    }
    const bye = r === null || r.untagged.some((l) => l.startsWith("* BYE"));
    const deselected = r !== null && /^T\d+ BAD/.test(r.tagged);
    if (i === actor) expect(bye || deselected, `connection ${i} still has the ${gone} it removed: ${r?.tagged}`).toBe(true);
    else expect(bye, `connection ${i} with ${gone} selected was told BYE`).toBe(true);
    if (bye) {
      c.close();
      w.conns[i] = await RawClient.connect(w.srv.port);
    }
    m.selected[i] = null;
  }
}

function appendTo(m: Model, name: string, uid: number, flags: string[]): void {
  const box = m.boxes.get(name)!;
  expect(uid, `APPENDUID of ${name}`).toBe(box.uidNext);
  box.msgs.push({ id: m.nextId++, uid, flags: new Set(flags) });
  box.uidNext = uid + 1;
}

class Select implements Cmd {
  constructor(readonly conn: number, readonly name: string) {}
  check = () => true;
  async run(m: Model, w: World) {
    const r = await w.conns[this.conn].cmd(`SELECT ${this.name}`);
    const box = m.boxes.get(this.name);
    if (!box) {
      expect(r.tagged).toMatch(/^T\d+ NO/);
      m.selected[this.conn] = null;
      return;
    }
    expect(r.tagged).toMatch(/^T\d+ OK \[READ-WRITE\]/);
    expect(r.untagged).toContain(`* ${box.msgs.length} EXISTS`);
    expect(r.untagged.some((l) => l.includes(`[UIDNEXT ${box.uidNext}]`)), r.untagged.join("\n")).toBe(true);
    m.selected[this.conn] = this.name;
  }
  toString = () => `c${this.conn} SELECT ${this.name}`;
}

class Append implements Cmd {
  constructor(readonly conn: number, readonly name: string, readonly flags: string[]) {}
  check = () => true;
  async run(m: Model, w: World) {
    const body = messageText(m.nextId);
    const r = await w.conns[this.conn].cmd(`APPEND ${this.name} (${this.flags.join(" ")}) {${Buffer.byteLength(body)}+}\r\n${body}`);
    const box = m.boxes.get(this.name);
    if (!box) {
      expect(r.tagged).toMatch(/^T\d+ NO \[TRYCREATE\]/);
      return;
    }
    const au = /\[APPENDUID (\d+) (\d+)\]/.exec(r.tagged);
    expect(au, r.tagged).not.toBeNull();
    expect(Number(au![1])).toBe(box.uidValidity);
    appendTo(m, this.name, Number(au![2]), this.flags);
  }
  toString = () => `c${this.conn} APPEND ${this.name} (${this.flags.join(" ")})`;
}

class Store implements Cmd {
  constructor(readonly conn: number, readonly idx: number[], readonly op: "+" | "-" | "", readonly flags: string[]) {}
  check = (m: Readonly<Model>) => m.selected[this.conn] !== null;
  async run(m: Model, w: World) {
    const box = m.boxes.get(m.selected[this.conn]!)!;
    await sync(w, this.conn);
    const uids = pick(box, this.idx);
    const set = uids.length ? uids.join(",") : String(box.uidNext + 3);
    const r = await w.conns[this.conn].cmd(`UID STORE ${set} ${this.op}FLAGS.SILENT (${this.flags.join(" ")})`);
    expect(r.tagged).toMatch(/^T\d+ OK/);
    for (const msg of box.msgs) {
      if (!uids.includes(msg.uid)) continue;
      if (this.op === "") msg.flags = new Set(this.flags);
      for (const f of this.flags) this.op === "+" ? msg.flags.add(f) : this.op === "-" ? msg.flags.delete(f) : undefined;
    }
  }
  toString = () => `c${this.conn} UID STORE [${this.idx}] ${this.op}FLAGS (${this.flags.join(" ")})`;
}

class CopyMove implements Cmd {
  constructor(readonly conn: number, readonly idx: number[], readonly dest: string, readonly move: boolean) {}
  check = (m: Readonly<Model>) => m.selected[this.conn] !== null && !(this.move && m.selected[this.conn] === this.dest);
  async run(m: Model, w: World) {
    const srcName = m.selected[this.conn]!;
    const box = m.boxes.get(srcName)!;
    await sync(w, this.conn);
    const uids = pick(box, this.idx);
    if (uids.length === 0) return;
    const r = await w.conns[this.conn].cmd(`UID ${this.move ? "MOVE" : "COPY"} ${uids.join(",")} ${this.dest}`);
    const dest = m.boxes.get(this.dest);
    if (!dest) {
      expect(r.tagged).toMatch(/^T\d+ NO \[TRYCREATE\]/);
      return;
    }
    expect(r.tagged).toMatch(/^T\d+ OK/);
    const line = [r.tagged, ...r.untagged].find((l) => l.includes("[COPYUID "));
    expect(line, "COPYUID").toBeDefined();
    const cu = /\[COPYUID (\d+) (\S+) (\S+)\]/.exec(line!)!;
    expect(Number(cu[1])).toBe(dest.uidValidity);
    const src = expandSet(cu[2]);
    const dst = expandSet(cu[3]);
    expect([...src].sort((a, b) => a - b)).toEqual(uids);
    const order = uids.map((u) => dst[src.indexOf(u)]);
    const copies = uids.map((u) => box.msgs.find((x) => x.uid === u)!);
    copies.forEach((c, i) => {
      expect(order[i], `COPYUID of ${c.uid}`).toBe(dest.uidNext);
      dest.msgs.push({ id: c.id, uid: dest.uidNext++, flags: new Set(c.flags) });
    });
    if (this.move) {
      box.msgs = box.msgs.filter((x) => !uids.includes(x.uid));
      expect(r.untagged.filter((l) => / EXPUNGE$/.test(l)).length + r.untagged.filter((l) => l.startsWith("* VANISHED")).length)
        .toBeGreaterThan(0);
    }
  }
  toString = () => `c${this.conn} UID ${this.move ? "MOVE" : "COPY"} [${this.idx}] ${this.dest}`;
}

class Expunge implements Cmd {
  constructor(readonly conn: number) {}
  check = (m: Readonly<Model>) => m.selected[this.conn] !== null;
  async run(m: Model, w: World) {
    const box = m.boxes.get(m.selected[this.conn]!)!;
    await sync(w, this.conn);
    const r = await w.conns[this.conn].cmd("EXPUNGE");
    expect(r.tagged).toMatch(/^T\d+ OK/);
    const gone = box.msgs.filter((x) => x.flags.has("\\Deleted"));
    expect(r.untagged.filter((l) => /^\* \d+ EXPUNGE$/.test(l)).length).toBe(gone.length);
    box.msgs = box.msgs.filter((x) => !x.flags.has("\\Deleted"));
  }
  toString = () => `c${this.conn} EXPUNGE`;
}

class FetchFlags implements Cmd {
  constructor(readonly conn: number) {}
  check = (m: Readonly<Model>) => m.selected[this.conn] !== null;
  async run(m: Model, w: World) {
    const box = m.boxes.get(m.selected[this.conn]!)!;
    await sync(w, this.conn);
    const r = await w.conns[this.conn].cmd("UID FETCH 1:* (UID FLAGS)");
    const fetched = r.untagged.filter((l) => /^\* \d+ FETCH/.test(l));
    if (box.msgs.length === 0) {
      expect(fetched).toEqual([]);
      return;
    }
    expect(r.tagged).toMatch(/^T\d+ OK/);
    const got = fetched.map((l) => `${/UID (\d+)/.exec(l)![1]}:${show(flagsOf(l))}`);
    expect(got).toEqual(box.msgs.map((x) => `${x.uid}:${show(x.flags)}`));
  }
  toString = () => `c${this.conn} UID FETCH 1:* FLAGS`;
}

class Idle implements Cmd {
  constructor(readonly conn: number) {}
  check = (m: Readonly<Model>) => m.selected[this.conn] !== null;
  async run(m: Model, w: World) {
    const name = m.selected[this.conn]!;
    const c = w.conns[this.conn];
    await sync(w, this.conn);
    const tag = c.nextTag();
    c.write(`${tag} IDLE\r\n`);
    await c.until(/^\+ /);
    const body = messageText(m.nextId);
    const r = await w.checker.cmd(`APPEND ${name} {${Buffer.byteLength(body)}+}\r\n${body}`);
    const au = /\[APPENDUID \d+ (\d+)\]/.exec(r.tagged);
    expect(au, r.tagged).not.toBeNull();
    appendTo(m, name, Number(au![1]), []);
    const exists = `* ${m.boxes.get(name)!.msgs.length} EXISTS`;
    await c.until(new RegExp(`^\\* ${m.boxes.get(name)!.msgs.length} EXISTS$`), 5000).catch(() => {
      throw new Error(`IDLE on ${name} did not report ${exists}`);
    });
    c.write("DONE\r\n");
    expect((await c.reply(tag)).tagged).toMatch(/ OK/);
  }
  toString = () => `c${this.conn} IDLE (checker APPENDs)`;
}

class Create implements Cmd {
  constructor(readonly conn: number, readonly name: string) {}
  check = () => true;
  async run(m: Model, w: World) {
    const r = await w.conns[this.conn].cmd(`CREATE ${this.name}`);
    if (m.boxes.has(this.name)) {
      expect(r.tagged).toMatch(/^T\d+ NO/);
      return;
    }
    expect(r.tagged).toMatch(/^T\d+ OK/);
    const st = await status(w.checker, this.name);
    expect(st.messages).toBe(0);
    const dead = m.dead.get(this.name);
    if (dead) expect(st.uidValidity !== dead.uidValidity || st.uidNext >= dead.uidNext, "UIDs of a deleted mailbox reused").toBe(true);
    m.boxes.set(this.name, { uidNext: st.uidNext, uidValidity: st.uidValidity, msgs: [] });
  }
  toString = () => `c${this.conn} CREATE ${this.name}`;
}

class Delete implements Cmd {
  constructor(readonly conn: number, readonly name: string) {}
  check = () => true;
  async run(m: Model, w: World) {
    const r = await w.conns[this.conn].cmd(`DELETE ${this.name}`);
    const box = m.boxes.get(this.name);
    if (!box || this.name === "INBOX") {
      expect(r.tagged).toMatch(/^T\d+ NO/);
      return;
    }
    expect(r.tagged).toMatch(/^T\d+ OK/);
    m.boxes.delete(this.name);
    m.dead.set(this.name, { uidValidity: box.uidValidity, uidNext: box.uidNext });
    await reconnectSelected(m, w, this.name, this.conn);
  }
  toString = () => `c${this.conn} DELETE ${this.name}`;
}

class Rename implements Cmd {
  constructor(readonly conn: number, readonly from: string, readonly to: string) {}
  check = () => true;
  async run(m: Model, w: World) {
    const r = await w.conns[this.conn].cmd(`RENAME ${this.from} ${this.to}`);
    const src = m.boxes.get(this.from);
    if (!src || m.boxes.has(this.to) || this.from === this.to) {
      expect(r.tagged).toMatch(/^T\d+ NO/);
      return;
    }
    expect(r.tagged).toMatch(/^T\d+ OK/);
    if (this.from === "INBOX") {
      // RFC 3501: INBOX's messages move to a new mailbox; INBOX stays, empty
      const st = await status(w.checker, this.to);
      const first = st.uidNext - src.msgs.length;
      const dead = m.dead.get(this.to);
      if (dead) expect(st.uidValidity !== dead.uidValidity || first >= dead.uidNext, "UIDs reused").toBe(true);
      m.boxes.set(this.to, {
        uidNext: st.uidNext, uidValidity: st.uidValidity,
        msgs: src.msgs.map((x, i) => ({ id: x.id, uid: first + i, flags: new Set(x.flags) })),
      });
      src.msgs = [];
      return;
    }
    m.boxes.delete(this.from);
    m.boxes.set(this.to, src);
    await reconnectSelected(m, w, this.from, this.conn);
  }
  toString = () => `c${this.conn} RENAME ${this.from} ${this.to}`;
}

/** Maps a model message to its MH number on disk (via its X-Model-Id). */
function numberOf(w: World, name: string, id: number): number {
  for (const [num, mid] of diskMessages(w, name)) if (mid === id) return num;
  throw new Error(`message ${id} not on disk in ${name}`);
}

class Inc implements Cmd {
  constructor(readonly count: number) {}
  check = () => true;
  async run(m: Model, w: World) {
    const file = join(w.home, "drop.mbox");
    const ids = Array.from({ length: this.count }, () => m.nextId++);
    writeFileSync(file, ids.map((id) => `From m@example.org Thu Jan  1 00:00:00 2026\n${messageText(id).replace(/\r\n/g, "\n")}\n`).join(""));
    await nmh(w, "inc", "+inbox", "-file", file, "-truncate", "-silent");
    m.nextId -= this.count;
    // the store learns of them at its next look; UIDs follow MH numbers
    const st = await status(w.checker, "INBOX");
    const box = m.boxes.get("INBOX")!;
    expect(st.uidNext).toBe(box.uidNext + this.count);
    for (let i = 0; i < this.count; i++) appendTo(m, "INBOX", box.uidNext, []);
  }
  toString = () => `nmh inc ${this.count}`;
}

class Rmm implements Cmd {
  constructor(readonly name: string, readonly i: number) {}
  check = (m: Readonly<Model>) => (m.boxes.get(this.name)?.msgs.length ?? 0) > 0;
  async run(m: Model, w: World) {
    const box = m.boxes.get(this.name)!;
    const msg = box.msgs[this.i % box.msgs.length];
    await nmh(w, "rmm", `+${folderOf(this.name)}`, String(numberOf(w, this.name, msg.id)));
    box.msgs = box.msgs.filter((x) => x !== msg);
  }
  toString = () => `nmh rmm ${this.name}[${this.i}]`;
}

class Mark implements Cmd {
  constructor(readonly name: string, readonly i: number, readonly what: "flag" | "seen" | "unseen") {}
  check = (m: Readonly<Model>) => (m.boxes.get(this.name)?.msgs.length ?? 0) > 0;
  async run(m: Model, w: World) {
    const box = m.boxes.get(this.name)!;
    const msg = box.msgs[this.i % box.msgs.length];
    const n = String(numberOf(w, this.name, msg.id));
    const f = `+${folderOf(this.name)}`;
    if (this.what === "flag") await nmh(w, "mark", f, n, "-sequence", "flagged", "-add");
    // nmh refuses to delete from a sequence that does not exist ("no such sequence"): a message
    // the model already holds as seen is in no unseen sequence, and there may be none at all.
    if (this.what === "seen" && !msg.flags.has("\\Seen")) await nmh(w, "mark", f, n, "-sequence", "unseen", "-delete");
    if (this.what === "unseen") await nmh(w, "mark", f, n, "-sequence", "unseen", "-add");
    if (this.what === "flag") msg.flags.add("\\Flagged");
    if (this.what === "seen") msg.flags.add("\\Seen");
    if (this.what === "unseen") msg.flags.delete("\\Seen");
  }
  toString = () => `nmh mark ${this.name}[${this.i}] ${this.what}`;
}

class Pack implements Cmd {
  constructor(readonly name: string) {}
  check = (m: Readonly<Model>) => m.boxes.has(this.name);
  async run(_m: Model, w: World) {
    await nmh(w, "folder", `+${folderOf(this.name)}`, "-pack");
  }
  toString = () => `nmh folder -pack +${folderOf(this.name)}`;
}

const conn = fc.integer({ min: 0, max: 1 });
const name = fc.constantFrom("INBOX", ...NAMES);
const flagList = fc.subarray([...FLAGS]);
const idx = fc.array(fc.nat(20), { minLength: 1, maxLength: 3 });

const select = fc.tuple(conn, name).map(([c, n]) => new Select(c, n));
const append = fc.tuple(conn, name, flagList).map(([c, n, f]) => new Append(c, n, f));
// SELECT and APPEND twice: most other commands need a selected mailbox with messages
export const commands: fc.Arbitrary<Cmd>[] = [
  select, select, append, append,
  fc.tuple(conn, idx, fc.constantFrom("+", "-", "") as fc.Arbitrary<"+" | "-" | "">, flagList)
    .map(([c, i, o, f]) => new Store(c, i, o, f)),
  fc.tuple(conn, idx, name, fc.boolean()).map(([c, i, n, mv]) => new CopyMove(c, i, n, mv)),
  conn.map((c) => new Expunge(c)),
  conn.map((c) => new FetchFlags(c)),
  conn.map((c) => new Idle(c)),
  fc.tuple(conn, fc.constantFrom(...NAMES)).map(([c, n]) => new Create(c, n)),
  fc.tuple(conn, name).map(([c, n]) => new Delete(c, n)),
  fc.tuple(conn, name, fc.constantFrom(...NAMES)).map(([c, f, t]) => new Rename(c, f, t)),
  fc.integer({ min: 1, max: 3 }).map((k) => new Inc(k)),
  fc.tuple(name, fc.nat(20)).map(([n, i]) => new Rmm(n, i)),
  fc.tuple(name, fc.nat(20), fc.constantFrom("flag", "seen", "unseen") as fc.Arbitrary<"flag" | "seen" | "unseen">)
    .map(([n, i, wh]) => new Mark(n, i, wh)),
  name.map((n) => new Pack(n)),
];

export { Select, Append, Store, CopyMove, Expunge, FetchFlags, Idle, Create, Delete, Rename, Inc, Rmm, Mark, Pack };
