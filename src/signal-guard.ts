// Node 20 opens its inspector (a debugger on 127.0.0.1 that any local account can reach, and
// that runs code as this process) on SIGUSR1 whenever no JS listener for SIGUSR1 is installed,
// and SIGUSR2's default action ends the process. Every asimapd process (root, user, spare)
// calls this first thing, so both signals are ours from then on; the real handlers come later,
// alongside these, and until then the signals are ignored. The listeners are never removed:
// without one, SIGUSR1 would again belong to Node.

const ignore = (): void => undefined;

export function claimDebugSignals(): void {
  for (const s of ["SIGUSR1", "SIGUSR2"] as const) {
    if (!process.listeners(s).includes(ignore)) process.on(s, ignore);
  }
}
