// Process facts from /proc: the tree under a server's root process, titles and resident memory.
import fs from "node:fs";

export interface ProcInfo {
  pid: number;
  ppid: number;
  comm: string;
  cmdline: string;
}

export function listProcs(): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const d of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, "utf8");
      // "pid (comm) state ppid ..." where comm may itself contain spaces and parentheses.
      const close = stat.lastIndexOf(")");
      const comm = stat.slice(stat.indexOf("(") + 1, close);
      const ppid = Number(stat.slice(close + 2).split(" ")[1]);
      const cmdline = fs.readFileSync(`/proc/${d}/cmdline`, "utf8").replace(/\0+/g, " ").trim();
      out.push({ pid: Number(d), ppid, comm, cmdline });
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}

/** Every process below `root` (not `root` itself). */
export function descendants(root: number, procs = listProcs()): ProcInfo[] {
  const byParent = new Map<number, ProcInfo[]>();
  for (const p of procs) {
    const list = byParent.get(p.ppid) ?? [];
    list.push(p);
    byParent.set(p.ppid, list);
  }
  const out: ProcInfo[] = [];
  const todo = [root];
  while (todo.length) {
    for (const c of byParent.get(todo.pop()!) ?? []) {
      out.push(c);
      todo.push(c.pid);
    }
  }
  return out;
}

/** Resident set size in bytes, or undefined when the process is gone. */
export function rssBytes(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Proportional set size in bytes (shared pages split among the processes sharing them), or
 *  undefined when the process is gone: what a process costs when many run the same binary. */
export function pssBytes(pid: number): number | undefined {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** PSS of a server's whole process tree: `root` and everything below it. */
export function treePss(root: number): number | undefined {
  let total: number | undefined;
  for (const pid of [root, ...descendants(root).map((p) => p.pid)]) {
    const b = pssBytes(pid);
    if (b !== undefined) total = (total ?? 0) + b;
  }
  return total;
}

export function sumRss(pids: number[]): number | undefined {
  let total = 0;
  let any = false;
  for (const pid of pids) {
    const r = rssBytes(pid);
    if (r !== undefined) {
      total += r;
      any = true;
    }
  }
  return any ? total : undefined;
}

/** Samples the largest summed RSS of `pids()` every `everyMs` until stopped. */
export function sampleMaxRss(pids: () => number[], everyMs = 25): () => number | undefined {
  let max: number | undefined;
  const tick = () => {
    const r = sumRss(pids());
    if (r !== undefined && (max === undefined || r > max)) max = r;
  };
  tick();
  const timer = setInterval(tick, everyMs);
  return () => {
    clearInterval(timer);
    tick();
    return max;
  };
}

/** CPU time (user + system) a process and everything below it used so far, ms; ended ones not counted. */
export function treeCpuMs(root: number): number {
  const tick = 1000 / 100; // /proc counts in clock ticks; USER_HZ is 100 on Linux
  let ms = 0;
  for (const pid of [root, ...descendants(root).map((p) => p.pid)]) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ms += (Number(f[11]) + Number(f[12])) * tick;
    } catch {
      // ended meanwhile
    }
  }
  return ms;
}

/** CPU time (user + system) of this process's children that ended and were waited for, ms. */
export function childrenCpuMs(): number {
  const f = fs.readFileSync("/proc/self/stat", "utf8");
  const rest = f.slice(f.lastIndexOf(")") + 2).split(" ");
  // cutime and cstime: fields 16 and 17 of stat(5), 14 and 15 after "pid (comm) "
  return (Number(rest[13]) + Number(rest[14])) * (1000 / 100);
}
