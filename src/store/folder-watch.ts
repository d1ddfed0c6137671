// Change watching for one folder while someone listens: a poll timer (the stat is the truth) and
// an fs.watch hint that makes an `inc` show up within milliseconds instead of a poll period.
import { watch, type FSWatcher } from "node:fs";
import type { Logger } from "./context.js";

export class FolderWatch {
  private watcher: FSWatcher | null = null;
  private timer: NodeJS.Timeout | null = null;
  private hintTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly dir: string,
    private pollMs: number,
    /** start a sync (it reports its own failures) */
    private readonly kick: () => void,
    private readonly log: Logger,
    /**
     * How many complete looks at the folder have begun so far. A hint whose events all came
     * before a look began is answered by that look (it reports what it finds to every
     * listener), so under load our own writes' events cost no extra directory read.
     */
    private readonly looks: () => number = () => 0,
  ) {}

  /** looks() when the latest event came in */
  private looksAtEvent = 0;

  get running(): boolean {
    return this.timer !== null;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(this.kick, this.pollMs);
    this.timer.unref();
    // whatever happened before the watch began is caught by one sync right away
    setImmediate(this.kick);
    try {
      this.watcher = watch(this.dir, { persistent: false }, () => {
        this.looksAtEvent = this.looks();
        // coalesce a burst of events (inc writes many files) into one sync
        if (this.hintTimer) return;
        this.hintTimer = setTimeout(() => {
          this.hintTimer = null;
          if (this.looks() === this.looksAtEvent) this.kick();
        }, 20);
        this.hintTimer.unref();
      });
      this.watcher.on("error", () => this.watcher?.close());
    } catch (e) {
      this.log.debug({ dir: this.dir, err: String(e) }, "fs.watch unavailable; polling only");
    }
  }

  /** A new poll period (the fs.watch hint stays): a folder only NOTIFY watches polls slowly. */
  setPoll(ms: number): void {
    if (ms === this.pollMs) return;
    this.pollMs = ms;
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = setInterval(this.kick, ms);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.hintTimer) clearTimeout(this.hintTimer);
    this.watcher?.close();
    this.timer = null;
    this.hintTimer = null;
    this.watcher = null;
  }
}
