// Long synchronous loops in a user process (FETCH RFC822.SIZE over a never-counted folder reads
// every file synchronously) must not starve the user's other sessions: work for about one
// slice, then let the event loop serve everyone else before going on.
import { performance } from "node:perf_hooks";

const SLICE_MS = 15;

export class TimeSlice {
  private start = performance.now();

  /** Whether this slice is used up (cheap: call it per item). */
  due(): boolean {
    return performance.now() - this.start >= SLICE_MS;
  }

  /** Yields to the event loop (I/O of other sessions included) and starts a new slice. */
  async next(): Promise<void> {
    await new Promise<void>((r) => setImmediate(r));
    this.start = performance.now();
  }
}
