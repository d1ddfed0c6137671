// Import from the old Python asimap's `asimap.db` (reference/asimap.md §2.3) on first open, so
// its users' clients keep their caches: UIDVALIDITY, UIDs (paired with MH numbers through the
// compact `uids` / `msg_keys` strings), UIDNEXT and subscriptions.
import Database from "better-sqlite3";
import { existsSync, promises as fsp } from "node:fs";
import { join } from "node:path";
import { listNumbers, messageFile, readSequences } from "../mh/folder.js";
import type { StoreContext } from "./context.js";
import { crlfSize } from "./message-index.js";
import { mailboxName } from "./folder-paths.js";
import { FlagInterner } from "./record.js";

export const LEGACY_DB = "asimap.db";

/** `1-3,6-7,10` → [1,2,3,6,7,10] (sorted, unique), as the old server wrote them. */
export function expandCompact(s: string | null): number[] {
  const out = new Set<number>();
  for (const part of (s ?? "").split(",")) {
    const t = part.trim();
    if (t === "") continue;
    const m = /^(\d+)(?:-(\d+))?$/.exec(t);
    if (!m) throw new Error(`bad compact sequence item ${JSON.stringify(t)}`);
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    for (let n = a; n <= b; n++) out.add(n);
  }
  return [...out].sort((x, y) => x - y);
}

interface OldMailbox {
  name: string;
  uid_vv: number;
  attributes: string | null;
  next_uid: number;
  uids: string | null;
  msg_keys: string | null;
  subscribed: number | null;
}

/** Import once; a no-op when there is no old database or it was imported before. */
export async function importLegacy(ctx: StoreContext): Promise<void> {
  const db = ctx.db;
  if (db.prepare("SELECT 1 FROM meta WHERE key = 'legacy_imported'").get()) return;
  const path = join(ctx.root, LEGACY_DB);
  if (!existsSync(path)) return;
  const old = new Database(path, { readonly: true, fileMustExist: true });
  let boxes: OldMailbox[];
  try {
    boxes = old.prepare("SELECT * FROM mailboxes").all() as OldMailbox[];
  } finally {
    old.close();
  }
  const rows: Array<{ box: OldMailbox; msgs: Array<[number, number, import("node:fs").Stats, number, string]> }> = [];
  for (const box of boxes) {
    if (!box.name || (box.attributes ?? "").includes("ignored")) continue;
    const dir = join(ctx.root, box.name);
    let nums: number[];
    try {
      nums = await listNumbers(dir);
    } catch {
      continue; // the folder is gone; discovery will not see it either
    }
    const uids = expandCompact(box.uids);
    // rows from before msg_keys existed: the old server paired the first len(uids) keys
    const keys = box.msg_keys ? expandCompact(box.msg_keys) : nums.slice(0, uids.length);
    let seqs = new Map<string, Set<number>>();
    try {
      seqs = (await readSequences(dir)).seqs;
    } catch (e) {
      ctx.log.warn({ folder: box.name, err: String(e) }, "legacy import: unreadable .mh_sequences");
    }
    const present = new Set(nums);
    const pairs: Array<[number, number]> = [];
    for (let i = 0; i < Math.min(uids.length, keys.length); i++) if (present.has(keys[i])) pairs.push([uids[i], keys[i]]);
    const flags = ctx.flags.flagsByNumber(seqs, pairs.map(([, k]) => k), new FlagInterner());
    const msgs: Array<[number, number, import("node:fs").Stats, number, string]> = [];
    for (const [uid, num] of pairs) {
      try {
        const data = await fsp.readFile(messageFile(dir, num));
        const st = await fsp.stat(messageFile(dir, num));
        msgs.push([uid, num, st, crlfSize(data), (flags.get(num) ?? []).join(" ")]);
      } catch {
        continue;
      }
    }
    rows.push({ box, msgs });
  }
  db.transaction(() => {
    for (const { box, msgs } of rows) {
      const maxUid = msgs.reduce((m, x) => Math.max(m, x[0]), 0);
      const info = db.prepare(
        `INSERT OR IGNORE INTO mailboxes (path, uidvalidity, uidnext, highestmodseq) VALUES (?, ?, ?, 1)`,
      ).run(box.name, box.uid_vv, Math.max(box.next_uid ?? 1, maxUid + 1));
      if (info.changes === 0) continue;
      const id = Number(info.lastInsertRowid);
      for (const [uid, num, st, size, fl] of msgs) {
        ctx.stmts.insertMessage.run(id, uid, num, st.ino, st.size, st.mtimeMs, 1, size, fl);
      }
      if (box.subscribed) {
        db.prepare("INSERT OR IGNORE INTO subscriptions (name) VALUES (?)").run(mailboxName(box.name));
      }
    }
    const maxVv = rows.reduce((m, r) => Math.max(m, r.box.uid_vv), 0);
    db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('last_uidvalidity', ?)").run(String(maxVv));
    db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('legacy_imported', ?)").run(new Date().toISOString());
  })();
  ctx.log.info({ mailboxes: rows.length }, "imported the old asimap.db");
}
