// nmh's data lock (mh-profile(5) `datalocking`, default fcntl): a whole-file F_SETLK write lock
// on `.mh_sequences`, which nmh then rewrites in place. os-lock gives us fcntl from Node.
import { promises as fsp, constants as C } from "node:fs";
import { lock, unlock } from "os-lock";

export interface LockOptions {
  /** give up waiting after this long, then go on without the lock (and say so) */
  timeoutMs: number;
  warn(obj: object, msg: string): void;
}

const RETRY_MS = 50;

/**
 * Open `path` read-write (created if missing) and hold nmh's write lock while fn runs. The lock
 * is retried every 50 ms up to the timeout; past it we proceed unlocked with a warning rather
 * than stall the client forever behind a stuck nmh process.
 */
export async function withFcntlLock<T>(
  path: string, opts: LockOptions, fn: (fh: fsp.FileHandle) => Promise<T>,
): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  let fh = await fsp.open(path, C.O_RDWR | C.O_CREAT, 0o600);
  let locked = false;
  try {
    for (;;) {
      try {
        await lock(fh.fd, { exclusive: true, immediate: true });
        locked = true;
        // nmh removes the file it holds locked when it leaves no public sequence: a lock won
        // after that is on a removed file, and what we wrote there would be lost. Open again.
        if (await stillAt(fh, path)) break;
        locked = false;
        await unlock(fh.fd).catch(() => undefined);
        await fh.close();
        fh = await fsp.open(path, C.O_RDWR | C.O_CREAT, 0o600);
        continue;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code !== "EACCES" && code !== "EAGAIN" && code !== "EBUSY") throw e;
        if (Date.now() >= deadline) {
          opts.warn({ path, waitedMs: opts.timeoutMs }, "could not lock .mh_sequences in time; going on without the lock");
          break;
        }
        await new Promise((r) => setTimeout(r, RETRY_MS));
      }
    }
    return await fn(fh);
  } finally {
    if (locked) await unlock(fh.fd).catch(() => undefined);
    await fh.close();
  }
}

/** Whether the path still names the open file (nmh may have removed or replaced it). */
async function stillAt(fh: fsp.FileHandle, path: string): Promise<boolean> {
  const open = await fh.stat();
  const now = await fsp.stat(path).catch(() => null);
  return now !== null && now.ino === open.ino && now.dev === open.dev;
}
