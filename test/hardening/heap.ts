// A running asimapd process's live memory, read from outside: SIGUSR2 makes it collect its
// garbage in-process and log what is left (src/live-memory.ts; no inspector port is opened).
import type { LiveMemory } from "../../src/live-memory.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The live memory lines process `pid` logged so far in `logs` (pino JSON lines). */
function reports(pid: number, logs: string): LiveMemory[] {
  const out: LiveMemory[] = [];
  for (const line of logs.split("\n")) {
    if (!line.startsWith("{") || !line.includes('"live":')) continue;
    const j = JSON.parse(line) as { pid?: number; live?: LiveMemory };
    if (j.pid === pid && j.live) out.push(j.live);
  }
  return out;
}

/** Live memory of process `pid` (an asimapd process, whose log is `logs`) after full collections. */
export async function liveMemory(pid: number, logs: () => string): Promise<LiveMemory> {
  const before = reports(pid, logs()).length;
  process.kill(pid, "SIGUSR2");
  const deadline = Date.now() + 15_000;
  for (;;) {
    const r = reports(pid, logs());
    if (r.length > before) return r[before];
    if (Date.now() > deadline) throw new Error(`process ${pid} logged no live memory after SIGUSR2`);
    await sleep(50);
  }
}
