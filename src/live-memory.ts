// What a process's memory holds after full collections, measured in-process (an inspector
// session with no port): RSS cannot tell a leak from V8 sizing its heap or the garbage of the
// last second; what survives a collection can. Logged on SIGUSR2 (profile.ts), read by the soak
// test.
import type inspectorModule from "node:inspector";
import { createRequire } from "node:module";

// loaded when used: node:inspector loads worker_threads, which the user process's startup
// snapshot cannot hold (scripts/build-user-bundle.mjs)
const requireBuiltin = createRequire(import.meta.url);

export interface LiveMemory {
  /** V8's heap in use after the collections */
  heapUsed: number;
  /** Buffers and other memory outside the V8 heap */
  external: number;
  rss: number;
}

export function liveMemory(): Promise<LiveMemory> {
  const inspector = requireBuiltin("node:inspector") as typeof inspectorModule;
  const session = new inspector.Session();
  session.connect();
  const gc = () => new Promise<void>((resolve, reject) =>
    session.post("HeapProfiler.collectGarbage", (err) => (err ? reject(err) : resolve())));
  // twice: what the first frees may hold the last references to more (weak maps, finalizers)
  return gc().then(gc).then(() => {
    const m = process.memoryUsage();
    return { heapUsed: m.heapUsed, external: m.external, rss: m.rss };
  }).finally(() => session.disconnect());
}
