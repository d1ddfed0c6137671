// Profiling for both kinds of process, with no inspector or debugger port (one on 127.0.0.1 would
// let any local account run code as root or as the mail owner; see signal-guard.ts):
// - ASIMAP_PROFILE_DIR=<dir>: every asimapd process (root and user processes inherit the
//   variable) records a V8 CPU profile from its start, through an in-process inspector session,
//   and writes it on exit as <dir>/<role>-<pid>.cpuprofile (open it in Chrome DevTools or
//   speedscope). SIGUSR2 writes the profile of the time since the previous one as
//   <dir>/<role>-<pid>-<n>.cpuprofile and records on. The directory must be writable by the mail
//   owners, as user processes run as them.
// - Without it, SIGUSR2 logs one line saying how to profile.
// Either way SIGUSR2 also logs the live memory after full collections (live-memory.ts).
import type inspectorModule from "node:inspector";
import { mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { liveMemory } from "./live-memory.js";

// node:inspector is loaded only when used: it loads worker_threads, which cannot be loaded while
// the user process's startup snapshot is built (scripts/build-user-bundle.mjs).
const requireBuiltin = createRequire(import.meta.url);
const inspector = (): typeof inspectorModule => requireBuiltin("node:inspector") as typeof inspectorModule;

interface Log {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export const PROFILE_HINT = "no CPU profile: start asimapd with ASIMAP_PROFILE_DIR=<dir> (writable by the mail owners) " +
  "to record one per process from its start; SIGUSR2 then writes the time since the last one, exit the rest";

/** Starts the CPU profile when ASIMAP_PROFILE_DIR is set, and makes SIGUSR2 write it so far
 *  (or, without the variable, log how to profile). */
export function setUpProfiling(role: string, log: Log, env = process.env): void {
  process.on("SIGUSR2", () => {
    liveMemory().then((live) => log.info({ signal: "SIGUSR2", live }, "memory after a full collection"),
      (e: Error) => log.warn({ err: e.message }, "cannot measure the live memory"));
  });
  const dir = env.ASIMAP_PROFILE_DIR;
  if (!dir) {
    process.on("SIGUSR2", () => log.info({ signal: "SIGUSR2" }, PROFILE_HINT));
    return;
  }
  const session = new (inspector().Session)();
  session.connect();
  session.post("Profiler.enable");
  session.post("Profiler.start");
  log.info({ dir }, "CPU profiling on; the profile is written on SIGUSR2 and when the process exits");
  const base = join(dir, `${role}-${process.pid}`);
  // The in-process inspector answers synchronously, so this works inside the "exit" event.
  const write = (file: string, then: (err?: Error) => void) => {
    session.post("Profiler.stop", (err, res) => {
      if (err) return then(err);
      try {
        mkdirSync(dir, { recursive: true });
        writeFileSync(file, JSON.stringify(res.profile));
        then();
      } catch (e) {
        then(e as Error);
      }
    });
  };
  let n = 0;
  process.on("SIGUSR2", () => {
    const file = `${base}-${++n}.cpuprofile`;
    write(file, (err) => {
      session.post("Profiler.start");
      if (err) log.warn({ file, err: err.message }, "cannot write the CPU profile");
      else log.info({ file }, "CPU profile since the last one written (SIGUSR2)");
    });
  });
  // nowhere to report at exit; a missing file tells the admin
  process.on("exit", () => write(`${base}.cpuprofile`, () => undefined));
}
