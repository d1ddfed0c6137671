// How big the benchmark is: "full" for the published figures, "smoke" for CI (seconds).
export interface Scale {
  name: "full" | "smoke";
  /** Runs of each workload per server (alternating ours / Dovecot). */
  runs: number;
  /** The mixed-size INBOX (1 KB .. bigBytes). */
  mixedCount: number;
  bigBytes: number;
  /** The big mailbox (100k) and the middle one (10k, its first messages). */
  bulkCount: number;
  midCount: number;
  /** The full-text workload's folder (the first messages of the bulk corpus; BENCH_FTS_COUNT). */
  ftsCount: number;
  loginCycles: number;
  idleConnections: number;
  concurrentUsers: number;
  appendCount: number;
  mixedClients: number;
  mixedSeconds: number;
  /** Messages in each small INBOX (IDLE, the many users, the mixed load). */
  smallCount: number;
  mixedLoadCount: number;
  /** Longest wait for one command before it counts as a protocol error. */
  commandTimeoutMs: number;
}

export const SCALES: Record<Scale["name"], Scale> = {
  full: {
    name: "full",
    runs: 3,
    mixedCount: 1_000,
    bigBytes: 20 * 1024 * 1024,
    bulkCount: 100_000,
    midCount: 10_000,
    ftsCount: 100_000,
    loginCycles: 30,
    idleConnections: 200,
    concurrentUsers: 50,
    appendCount: 1_000,
    mixedClients: 10,
    mixedSeconds: 15,
    smallCount: 20,
    mixedLoadCount: 1_000,
    commandTimeoutMs: 300_000,
  },
  smoke: {
    name: "smoke",
    runs: 1,
    mixedCount: 30,
    bigBytes: 1024 * 1024,
    bulkCount: 300,
    midCount: 100,
    ftsCount: 300,
    loginCycles: 2,
    idleConnections: 4,
    concurrentUsers: 3,
    appendCount: 5,
    mixedClients: 3,
    mixedSeconds: 1,
    smallCount: 5,
    mixedLoadCount: 50,
    commandTimeoutMs: 20_000,
  },
};

export function scaleFromEnv(value = process.env.BENCH_SCALE): Scale {
  const name = value ?? "full";
  if (name !== "full" && name !== "smoke") throw new Error(`BENCH_SCALE must be "full" or "smoke", not "${name}"`);
  const s = { ...SCALES[name] };
  if (process.env.BENCH_RUNS) s.runs = Math.max(1, Number(process.env.BENCH_RUNS));
  // (a shorter full-text run: BENCH_FTS_COUNT=10000 while developing, or for fts-xapian's hour)
  if (process.env.BENCH_FTS_COUNT) s.ftsCount = Math.min(s.bulkCount, Math.max(1, Number(process.env.BENCH_FTS_COUNT)));
  return s;
}
