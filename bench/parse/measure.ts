// Rates measured in CPU time of this process (user + system), not wall time: the box is shared
// and often overloaded, so a wall-clock second holds anything from 0.05 to 1 CPU second of ours.

/** CPU seconds used by this process so far. */
export function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

export interface Rate {
  /** units per CPU second, best round */
  best: number;
  /** units per CPU second, median round */
  median: number;
  /** units per wall-clock second, best round (only meaningful on a quiet machine) */
  wall: number;
}

/** Runs fn (which returns how many units it did) for `seconds` CPU seconds per round: one warm-up
 *  round (the JIT needs a moment for a parser this size), then `rounds` measured ones. */
export function measure(fn: () => number, seconds: number, rounds = 5): Rate {
  const round = (): { cpu: number; wall: number } => {
    let units = 0;
    const w0 = process.hrtime.bigint();
    const c0 = cpuSeconds();
    let used = 0;
    while (used < seconds) {
      units += fn();
      used = cpuSeconds() - c0;
    }
    const wall = Number(process.hrtime.bigint() - w0) / 1e9;
    return { cpu: units / used, wall: units / wall };
  };
  round();
  const rs = Array.from({ length: rounds }, round);
  const cpus = rs.map((r) => r.cpu).sort((a, b) => a - b);
  return { best: cpus[cpus.length - 1], median: cpus[cpus.length >> 1], wall: Math.max(...rs.map((r) => r.wall)) };
}
