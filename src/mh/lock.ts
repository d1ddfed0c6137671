// nmh's data lock (mh-profile(5) `datalocking`, default fcntl): a whole-file F_SETLK write lock
// on `.mh_sequences`, which nmh then rewrites in place. The lock and the file calls around it
// are synchronous (our addon's fcntl, F_SETLK never waits): each is microseconds, where a
// thread-pool round trip per call made a locked update slower than the APPEND it is part of.
import { closeSync, constants as C, fstatSync, openSync, statSync } from "node:fs";
import { nativeAddon } from "../native/addon.js";

export interface LockOptions {
  /** give up waiting after this long, then go on without the lock (and say so) */
  timeoutMs: number;
  warn(obj: object, msg: string): void;
}

const RETRY_MS = 50;

/**
 * Open `path` read-write (created if missing) and hold nmh's write lock while fn runs on the
 * descriptor. The lock is retried every 50 ms up to the timeout; past it we proceed unlocked
 * with a warning rather than stall the client forever behind a stuck nmh process.
 */
export async function withFcntlLock<T>(path: string, opts: LockOptions, fn: (fd: number) => Promise<T> | T): Promise<T> {
  const native = nativeAddon();
  const deadline = Date.now() + opts.timeoutMs;
  let fd = openSync(path, C.O_RDWR | C.O_CREAT, 0o600);
  let locked = false;
  try {
    for (;;) {
      if (native.tryLockExclusive(fd)) {
        locked = true;
        // nmh removes the file it holds locked when it leaves no public sequence: a lock won
        // after that is on a removed file, and what we wrote there would be lost. Open again.
        if (stillAt(fd, path)) break;
        locked = false;
        native.unlock(fd);
        closeSync(fd);
        fd = openSync(path, C.O_RDWR | C.O_CREAT, 0o600);
        continue;
      }
      if (Date.now() >= deadline) {
        opts.warn({ path, waitedMs: opts.timeoutMs }, "could not lock .mh_sequences in time; going on without the lock");
        break;
      }
      await new Promise((r) => setTimeout(r, RETRY_MS));
    }
    return await fn(fd);
  } finally {
    if (locked) {
      try {
        native.unlock(fd);
      } catch {
        // closing the descriptor below lets go of the lock all the same
      }
    }
    closeSync(fd);
  }
}

/** Whether the path still names the open file (nmh may have removed or replaced it). */
function stillAt(fd: number, path: string): boolean {
  const open = fstatSync(fd);
  const now = statSync(path, { throwIfNoEntry: false });
  return now !== undefined && now.ino === open.ino && now.dev === open.dev;
}
