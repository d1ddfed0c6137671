// RFC 5464 annotations in the state database: one row per entry, a mailbox's under its row id
// (RENAME keeps it, so they follow), the server's under SERVER_ID. Limits are the caller's policy;
// the count one is checked here, inside the transaction that would pass it.
import type Database from "better-sqlite3";
import type { AnnotationChange, Annotations } from "./contract.js";

/** The server's annotations: no mailbox row has id 0. */
export const SERVER_ID = 0;

type Db = Database.Database;

/** Whether entry `name` is below `root`, at most `depth` levels down (GETMETADATA's DEPTH). */
export function isBelow(root: string, name: string, depth: number): boolean {
  return name.startsWith(root + "/") && name.split("/").length - root.split("/").length <= depth;
}

export class DbAnnotations implements Annotations {
  constructor(
    private readonly db: Db, private readonly id: number, private readonly mailbox: string | null,
    private readonly changed: (ev: AnnotationChange) => void,
  ) {}

  get(entry: string): Buffer | undefined {
    return this.db.prepare("SELECT value FROM metadata WHERE mailbox_id = ? AND entry = ?").pluck()
      .get(this.id, entry) as Buffer | undefined;
  }

  below(entry: string, depth: number): Array<[string, Buffer]> {
    // '/' is 0x2f and '0' 0x30: every name starting with `entry/` sorts between the two bounds
    const rows = this.db.prepare(
      "SELECT entry, value FROM metadata WHERE mailbox_id = ? AND entry > ? AND entry < ? ORDER BY entry",
    ).raw(true).all(this.id, entry + "/", entry + "0") as Array<[string, Buffer]>;
    return rows.filter(([name]) => isBelow(entry, name, depth));
  }

  count(): number {
    return this.db.prepare("SELECT count(*) FROM metadata WHERE mailbox_id = ?").pluck().get(this.id) as number;
  }

  apply(changes: ReadonlyArray<readonly [string, Buffer | null]>, maxEntries: number, origin?: unknown): boolean {
    const set = this.db.prepare("INSERT OR REPLACE INTO metadata (mailbox_id, entry, value) VALUES (?, ?, ?)");
    const remove = this.db.prepare("DELETE FROM metadata WHERE mailbox_id = ? AND entry = ?");
    try {
      this.db.transaction(() => {
        const before = this.count();
        for (const [entry, value] of changes) {
          if (value === null) remove.run(this.id, entry);
          else set.run(this.id, entry, value);
        }
        const after = this.count();
        // only a change that adds entries is refused: removing some always works
        if (after > maxEntries && after > before) throw new TooMany();
      })();
    } catch (e) {
      if (e instanceof TooMany) return false;
      throw e;
    }
    this.changed({ mailbox: this.mailbox, entries: [...new Set(changes.map(([entry]) => entry))], origin });
    return true;
  }
}

/** Thrown inside the transaction to roll it back. */
class TooMany extends Error {}

/** RFC 5464 §4.1: renaming INBOX leaves its annotations on it and copies them to the new mailbox. */
export function copyAnnotations(db: Db, fromId: number, toId: number): void {
  db.prepare("INSERT OR REPLACE INTO metadata (mailbox_id, entry, value) SELECT ?, entry, value FROM metadata WHERE mailbox_id = ?")
    .run(toId, fromId);
}

/** A mailbox deleted but kept as a \Noselect parent starts without annotations (§4.1). */
export function forgetAnnotations(db: Db, id: number): void {
  db.prepare("DELETE FROM metadata WHERE mailbox_id = ?").run(id);
}
