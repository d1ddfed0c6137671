// Long synchronous loops in a user process (FETCH RFC822.SIZE over a never-counted folder reads
// every file synchronously) must not starve the user's other sessions: work for about one
// slice, then let the event loop serve everyone else before going on. Background work (the
// full-text indexer) also waits for the commands in flight: a slice that runs whenever a
// command awaits made a STORE of 10,000 flags 5x slower while a folder was being indexed.
import { performance } from "node:perf_hooks";

const SLICE_MS = 15;
/** background work waits at most this long for a moment without commands, so it never starves */
const BACKGROUND_WAIT_MS = 250;

/** Commands of this process between their parse and their tagged answer. */
let inFlight = 0;
let quiet: Array<() => void> = [];

/** Around each command of every session (session.ts): background slices wait until none runs. */
export function commandStarted(): void {
  inFlight++;
}

export function commandEnded(): void {
  if (--inFlight > 0) return;
  const waiting = quiet;
  quiet = [];
  for (const w of waiting) w();
}

/** Resolves when no command is in flight (at once if none is), or after `maxMs` in any case. */
function noCommand(maxMs: number): Promise<void> {
  if (inFlight === 0) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const timer = setTimeout(done, maxMs);
    function done() {
      clearTimeout(timer);
      resolve();
    }
    quiet.push(done);
  });
}

export class TimeSlice {
  private start = performance.now();

  /** background: each slice waits for a moment when no command is in flight (at most 250 ms) */
  constructor(private readonly background = false) {}

  /** Whether this slice is used up (cheap: call it per item). */
  due(): boolean {
    return performance.now() - this.start >= SLICE_MS;
  }

  /** Yields to the event loop (I/O of other sessions included) and starts a new slice. */
  async next(): Promise<void> {
    await new Promise<void>((r) => setImmediate(r));
    if (this.background) await noCommand(BACKGROUND_WAIT_MS);
    this.start = performance.now();
  }
}
