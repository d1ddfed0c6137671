// The shard map: which backend holds whose mail, one `user host:port` a line (blanks between),
// `# comments`, and `* host:port` for every user not named. Re-read when it changes, so moving a
// user is editing one line.
import { parseBackend } from "../daemon/backend-address.js";
import { ChangingFile } from "../daemon/changing-file.js";

export interface ShardMapProblem {
  line: number;
  reason: string;
}

export interface ShardMap {
  users: Map<string, string>;
  /** the `*` line's backend */
  fallback?: string;
}

export function parseShardMap(text: string): { map: ShardMap; problems: ShardMapProblem[] } {
  const map: ShardMap = { users: new Map() };
  const problems: ShardMapProblem[] = [];
  text.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const f = line.split(/\s+/);
    if (f.length !== 2) return problems.push({ line: i + 1, reason: `expected "user host:port", found ${f.length} field(s)` });
    const b = parseBackend(f[1]);
    if ("problem" in b) return problems.push({ line: i + 1, reason: b.problem });
    if (f[0] === "*") map.fallback = f[1];
    else map.users.set(f[0], f[1]);
  });
  return { map, problems };
}

export class ShardMapFile {
  private readonly source: ChangingFile<ShardMap>;
  constructor(readonly file: string, onProblem: (p: ShardMapProblem) => void) {
    this.source = new ChangingFile(file, (text) => {
      const { map, problems } = parseShardMap(text);
      problems.forEach(onProblem);
      return map;
    });
  }

  load(): Promise<ShardMap> {
    return this.source.load();
  }
}
