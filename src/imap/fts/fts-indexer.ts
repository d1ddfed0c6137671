// Keeps a user's full-text index current in the background: the folders to index (searched
// once, or opened when the settings say so) are walked for messages the index does not hold,
// a slice of work at a time (time-slice.ts) between commands, then the event loop serves
// everyone else; nothing here runs on the path of a command. Rows whose file left every folder
// are dropped a while after an expunge, at once after a folder is deleted (refile and MOVE keep the file, and its
// row, when the new folder is looked at within that while).
import { performance } from "node:perf_hooks";
import type { Logger } from "../api.js";
import type { SearchKey } from "../../protocol/ast.js";
import type { Mailbox, StoreChange, UserStore } from "../../store/contract.js";
import { TimeSlice } from "../time-slice.js";
import { ftsDocument, type FtsDocument } from "./fts-document.js";
import { FtsIndex, type FileRecord, type FtsAnswer, type FtsOptions } from "./fts-index.js";
import { answerable } from "./fts-query.js";
import { registerFts, type Narrowing } from "./fts-registry.js";

/** rows dropped per slice */
const DROP_BATCH = 2000;
/** a file larger than this is not indexed (scanned when searched) */
const MAX_FILE = 32 * 1024 * 1024;

export interface IndexerTiming {
  /** how long after an expunge the dead rows go (default 30 s) */
  dropDelayMs?: number;
}

export class FtsIndexer implements Narrowing {
  readonly index: FtsIndex;
  private readonly queue = new Set<Mailbox>();
  /** folders whose new mail is indexed as it comes */
  private readonly followed = new Set<Mailbox>();
  private searched: Set<string> | null = null;
  private running: Promise<void> | null = null;
  private dropTimer: NodeJS.Timeout | undefined;
  private store: UserStore | null = null;
  private closed = false;
  /** messages indexed and CPU spent on it, since the process started (logged per folder) */
  readonly stats = { indexed: 0, cpuMs: 0 };

  constructor(root: string, opts: FtsOptions, private readonly log: Logger, private readonly timing: IndexerTiming = {}) {
    this.index = new FtsIndex(root, opts, log);
  }

  attach(store: UserStore): void {
    this.store = store;
  }

  /** The store's hook (StoreOptions.onChange): only schedules. */
  changed(c: StoreChange): void {
    if (this.closed || !this.index.opts.enabled) return;
    switch (c.kind) {
      case "opened":
        registerFts(c.mailbox, this);
        if (this.index.opts.onOpen || this.wasSearched(c.mailbox.name)) this.follow(c.mailbox);
        return;
      case "added":
        if (this.followed.has(c.mailbox)) this.enqueue(c.mailbox);
        return;
      case "gone":
        this.followed.delete(c.mailbox);
        this.queue.delete(c.mailbox);
        return;
      case "expunged":
        this.scheduleDrop(this.timing.dropDelayMs ?? 30_000);
        return;
      case "forgot":
        this.scheduleDrop(0);
        return;
    }
  }

  /**
   * What the index tells a SEARCH of `box` with `keys` (see FtsIndex.answer), or null:
   * nothing; a first SEARCH the index could answer starts indexing the folder.
   */
  narrowing(box: Mailbox, keys: SearchKey[]): FtsAnswer | null {
    if (!this.index.opts.enabled || !answerable(keys)) return null;
    this.searching(box);
    return this.index.answer(box.messages(), keys);
  }

  /** A SEARCH looked in this folder: index it from now on, and what it lacks now (a new or
   *  capped index, messages seen since) in the background. */
  private searching(box: Mailbox): void {
    if (this.closed || !this.index.opts.enabled) return;
    if (!this.followed.has(box)) {
      this.index.noteSearched(box.name);
      this.searched?.add(box.name);
    }
    this.follow(box);
  }

  /** Resolves when the work queued so far is done (tests, the bench's "index built"). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.dropTimer);
    this.index.close();
  }

  private wasSearched(name: string): boolean {
    this.searched ??= this.index.searchedFolders();
    return this.searched.has(name);
  }

  private follow(box: Mailbox): void {
    this.followed.add(box);
    this.enqueue(box);
  }

  private enqueue(box: Mailbox): void {
    this.queue.add(box);
    this.running ??= this.work().finally(() => {
      this.running = null;
    });
  }

  private async work(): Promise<void> {
    const slice = new TimeSlice(true);
    await slice.next(); // never in the turn of the command that asked, nor inside another
    while (!this.closed && this.queue.size > 0) {
      const box = this.queue.values().next().value as Mailbox;
      this.queue.delete(box);
      await this.indexFolder(box, slice);
    }
  }

  private async indexFolder(box: Mailbox, slice: TimeSlice): Promise<void> {
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    let batch: Array<[FileRecord, FtsDocument]> = [];
    let done = 0;
    const flush = (): boolean => {
      const ok = this.index.write(batch);
      if (ok) done += batch.length;
      batch = [];
      return ok;
    };
    // only what the index lacks (known per folder state: a folder already indexed costs nothing)
    for (const r of this.index.held(box.messages()).missing as readonly FileRecord[]) {
      if (this.closed || !this.index.writable) return;
      if (this.index.isIndexed(r) || r.fileSize > MAX_FILE || typeof r.ino !== "number") continue;
      let bytes: Buffer;
      try {
        bytes = await box.readMessage(r.uid);
      } catch {
        continue; // expunged or replaced meanwhile: the next sync reports it
      }
      batch.push([r, ftsDocument(bytes)]);
      if (slice.due()) {
        if (!flush()) return;
        await slice.next();
      }
    }
    if (!flush()) return;
    if (done === 0) return;
    const cpu = process.cpuUsage(cpu0);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    this.stats.indexed += done;
    this.stats.cpuMs += cpuMs;
    this.log.info({ mailbox: box.name, indexed: done, rows: this.index.size, ms: Math.round(performance.now() - t0), cpuMs: Math.round(cpuMs) },
      "full-text index of mailbox updated");
  }

  private scheduleDrop(ms: number): void {
    if (this.dropTimer && ms > 0) return; // one is coming
    clearTimeout(this.dropTimer);
    this.dropTimer = setTimeout(() => {
      this.dropTimer = undefined;
      this.dropDead().catch((e) => this.log.warn({ err: String(e) }, "full-text index cleanup failed"));
    }, ms);
    this.dropTimer.unref();
  }

  private async dropDead(): Promise<void> {
    if (!this.store || this.closed) return;
    const slice = new TimeSlice(true);
    for (;;) {
      const live = new Map<number, number[]>();
      for (const [ino, size, mtime] of this.store.identities()) live.set(ino, [size, mtime]);
      // the records of folders being indexed count too (rows of a first look are written later)
      for (const b of this.followed) for (const r of b.messages() as readonly FileRecord[]) live.set(r.ino, [r.fileSize, r.mtime]);
      const isLive = (ino: number, size: number, mtime: number) => {
        const l = live.get(ino);
        return l !== undefined && l[0] === size && l[1] === mtime;
      };
      const { dropped, more } = this.index.drop(isLive, DROP_BATCH);
      if (dropped > 0) this.log.debug({ dropped }, "full-text rows of removed messages dropped");
      if (!more || this.closed) return;
      await slice.next();
    }
  }
}
