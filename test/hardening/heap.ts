// A running process's live memory, measured from outside: SIGUSR2 opens its inspector
// (src/profile.ts, it logs the URL), and a child node asks it for full collections and then
// process.memoryUsage(). RSS cannot tell a leak from V8 sizing its heap or the garbage of the last
// second; what survives a full collection can. (The child because Node 20's WebSocket is behind a
// flag.)
import { spawn } from "node:child_process";

const PROBE = `
const ws = new WebSocket(process.env.INSPECTOR_URL);
let id = 0;
const pending = new Map();
const call = (method, params = {}) => new Promise((resolve, reject) => {
  pending.set(++id, { resolve, reject });
  ws.send(JSON.stringify({ id, method, params }));
});
ws.onmessage = (e) => {
  const m = JSON.parse(e.data);
  const p = pending.get(m.id);
  if (!p) return;
  pending.delete(m.id);
  if (m.error) p.reject(new Error(m.error.message));
  else p.resolve(m.result);
};
ws.onerror = () => { console.error("cannot reach " + process.env.INSPECTOR_URL); process.exit(1); };
ws.onopen = async () => {
  // twice: what the first frees may hold the last references to more (weak maps, finalizers)
  await call("HeapProfiler.collectGarbage");
  await call("HeapProfiler.collectGarbage");
  const r = await call("Runtime.evaluate", { expression: "JSON.stringify(process.memoryUsage())", returnByValue: true });
  process.stdout.write(r.result.value);
  process.exit(0);
};
`;

export interface LiveMemory {
  /** V8's heap in use after the collections */
  heapUsed: number;
  /** memory of Buffers and other objects outside the V8 heap (arrayBuffers included) */
  external: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The inspector URL process `pid` logged in `logs` (pino JSON lines), after SIGUSR2. */
async function inspectorUrl(pid: number, logs: () => string): Promise<string> {
  process.kill(pid, "SIGUSR2");
  const deadline = Date.now() + 15_000;
  for (;;) {
    const m = new RegExp(`^\\{[^\\n]*"pid":${pid},[^\\n]*"inspector":"(ws://[^"]+)"`, "m").exec(logs());
    if (m) return m[1];
    if (Date.now() > deadline) throw new Error(`process ${pid} logged no inspector URL after SIGUSR2`);
    await sleep(50);
  }
}

/** Live memory of process `pid` (an asimapd process, whose log is `logs`) after full collections. */
export async function liveMemory(pid: number, logs: () => string): Promise<LiveMemory> {
  const url = await inspectorUrl(pid, logs);
  const out = await new Promise<string>((resolve, reject) => {
    const p = spawn(process.execPath, ["--experimental-websocket", "--no-warnings", "-e", PROBE], {
      env: { ...process.env, INSPECTOR_URL: url }, stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    p.stdout.on("data", (d: Buffer) => (out += d));
    p.stderr.on("data", (d: Buffer) => (err += d));
    p.on("error", reject);
    p.on("close", (code) => (code === 0 ? resolve(out) : reject(new Error(`heap probe of ${pid} failed: ${err}`))));
  });
  const m = JSON.parse(out) as { heapUsed: number; external: number };
  return { heapUsed: m.heapUsed, external: m.external };
}
