// Summarises a V8 .cpuprofile (from ASIMAP_USER_NODE_OPTIONS=--cpu-prof) as the functions with
// the most self time, so a slow benchmark row can be explained in a line or two.
//   node dist/bench/imap/profile-top.js <file.cpuprofile> [count]
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
}

export interface Hot {
  name: string;
  ms: number;
  share: number;
}

export function topSelfTime(profile: Profile, count = 15): Hot[] {
  const hits = new Map<number, number>();
  if (profile.samples?.length) for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
  else for (const n of profile.nodes) hits.set(n.id, n.hitCount ?? 0);
  const total = [...hits.values()].reduce((a, b) => a + b, 0) || 1;
  const msPerHit = (profile.endTime - profile.startTime) / 1000 / total;
  const byName = new Map<string, number>();
  for (const n of profile.nodes) {
    const h = hits.get(n.id) ?? 0;
    if (!h) continue;
    const f = n.callFrame;
    const where = f.url ? `${f.url.replace(/^file:\/\/.*?\/(dist|node_modules)\//, "$1/")}:${f.lineNumber + 1}` : "";
    const name = `${f.functionName || "(anonymous)"}${where ? ` ${where}` : ""}`;
    byName.set(name, (byName.get(name) ?? 0) + h);
  }
  return [...byName.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, h]) => ({ name, ms: h * msPerHit, share: h / total }));
}

function main(): void {
  const [file, count] = process.argv.slice(2);
  if (!file) {
    process.stderr.write("usage: profile-top <file.cpuprofile> [count]\n");
    process.exit(2);
  }
  const profile = JSON.parse(fs.readFileSync(file, "utf8")) as Profile;
  for (const h of topSelfTime(profile, Number(count ?? 15))) {
    process.stdout.write(`${(h.share * 100).toFixed(1).padStart(5)}% ${h.ms.toFixed(0).padStart(7)} ms  ${h.name}\n`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) main();
