// Watching the folder tree while someone wants to hear of folder names (NOTIFY's MailboxName):
// an fs.watch on the mail root and on every folder directory is the fast hint that nmh made,
// removed or renamed a folder; a look every 30 s catches what a hint missed. Each hint, after a
// short pause to coalesce a burst, runs the store's discovery, which reports what changed.
import { watch, type FSWatcher } from "node:fs";
import { join } from "node:path";
import type { Logger } from "./context.js";

/** the backstop look's period, ms */
export const TREE_POLL_MS = 30_000;

/** Entries in a folder directory that cannot be a folder: messages, nmh's `,N` and `#N`
 *  backups, dot files (`.mh_sequences`, the state and FTS databases). */
const NOT_A_FOLDER = /^([0-9]+|[,#.].*)$/;

export class TreeWatch {
  private readonly watchers = new Map<string, FSWatcher>();
  private timer: NodeJS.Timeout | null = null;
  private hint: NodeJS.Timeout | null = null;

  constructor(
    private readonly root: string,
    /** look at the tree now (discovery); resolves with the folder paths relative to the root */
    private readonly look: () => Promise<string[]>,
    private readonly log: Logger,
  ) {}

  start(folders: readonly string[]): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.kick(), TREE_POLL_MS);
    this.timer.unref();
    this.follow(folders);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.hint) clearTimeout(this.hint);
    this.timer = null;
    this.hint = null;
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
  }

  /** Watch exactly the root and these folders' directories. */
  follow(folders: readonly string[]): void {
    if (!this.timer) return;
    const want = new Set(["", ...folders]);
    for (const [rel, w] of this.watchers) {
      if (!want.has(rel)) {
        w.close();
        this.watchers.delete(rel);
      }
    }
    for (const rel of want) {
      if (this.watchers.has(rel)) continue;
      try {
        const w = watch(join(this.root, rel), { persistent: false }, (_ev, file) => {
          if (file && NOT_A_FOLDER.test(String(file))) return;
          this.soon();
        });
        w.on("error", () => {
          w.close();
          this.watchers.delete(rel);
        });
        this.watchers.set(rel, w);
      } catch (e) {
        this.log.debug({ dir: rel, err: String(e) }, "fs.watch unavailable on a folder; the 30 s look finds its changes");
      }
    }
  }

  private soon(): void {
    if (this.hint) return;
    this.hint = setTimeout(() => {
      this.hint = null;
      this.kick();
    }, 50);
    this.hint.unref();
  }

  private kick(): void {
    this.look().then((folders) => this.follow(folders), (e) => {
      this.log.warn({ err: String(e) }, "looking at the folder tree failed");
    });
  }
}
