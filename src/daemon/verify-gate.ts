// Bounds the expensive password checks so that a flood of wrong passwords cannot starve the
// right ones: one at a time per client address and per user name, a few at a time overall
// (they run on libuv's thread pool, which the root's file I/O shares: one thread is left for it).
// Waiters are served in order of arrival.
export class VerifyGate {
  private readonly tails = new Map<string, Promise<void>>();
  private running = 0;
  private readonly queue: Array<() => void> = [];
  constructor(readonly maxRunning = 3) {}

  /** Runs `fn` once its address, its user and a global slot are free. */
  async run<T>(addr: string, user: string, fn: () => Promise<T>): Promise<T> {
    return this.serial(`a:${addr}`, () => this.serial(`u:${user}`, () => this.global(fn)));
  }

  private async serial<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const before = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const tail = before.then(() => mine);
    this.tails.set(key, tail);
    await before;
    try {
      return await fn();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }

  private async global<T>(fn: () => Promise<T>): Promise<T> {
    if (this.running >= this.maxRunning) await new Promise<void>((r) => this.queue.push(r));
    else this.running++;
    try {
      return await fn();
    } finally {
      const next = this.queue.shift();
      if (next) next(); // the slot passes on
      else this.running--;
    }
  }
}
