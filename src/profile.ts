// Profiling for both kinds of process, switched on without restarting anything by hand:
// - ASIMAP_PROFILE_DIR=<dir>: every asimapd process (root and user processes inherit the
//   variable) records a V8 CPU profile from its start and writes it on exit as
//   <dir>/<role>-<pid>.cpuprofile (open it in Chrome DevTools or speedscope). The directory must
//   be writable by the mail owners, as user processes run as them.
// - SIGUSR2: opens the V8 inspector on 127.0.0.1 (a free port) and logs its URL, so a debugger
//   can attach to a running process (SIGUSR1, Node's usual trigger, toggles tracing here).
import type inspectorModule from "node:inspector";
import { mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

// node:inspector is loaded only when used: it loads worker_threads, which cannot be loaded while
// the user process's startup snapshot is built (scripts/build-user-bundle.mjs).
const requireBuiltin = createRequire(import.meta.url);
const inspector = (): typeof inspectorModule => requireBuiltin("node:inspector") as typeof inspectorModule;

interface Log {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export function startProfilingFromEnv(role: string, log: Log, env = process.env): void {
  const dir = env.ASIMAP_PROFILE_DIR;
  if (!dir) return;
  const session = new (inspector().Session)();
  session.connect();
  session.post("Profiler.enable");
  session.post("Profiler.start");
  log.info({ dir }, "CPU profiling on; the profile is written when the process exits");
  // The in-process inspector answers synchronously, so this works inside the "exit" event.
  process.on("exit", () => {
    session.post("Profiler.stop", (err, res) => {
      if (err) return;
      try {
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, `${role}-${process.pid}.cpuprofile`), JSON.stringify(res.profile));
      } catch {
        // nowhere to report at exit; the missing file tells the admin
      }
    });
  });
}

/** SIGUSR2 opens the inspector (once) and logs where to attach. */
export function inspectorOnSignal(log: Log): void {
  process.on("SIGUSR2", () => {
    const i = inspector();
    if (!i.url()) i.open(0, "127.0.0.1");
    log.info({ inspector: i.url() }, "inspector open (SIGUSR2)");
  });
}
