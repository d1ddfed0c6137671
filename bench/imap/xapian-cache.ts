// fts-xapian needs over an hour to index 100,000 messages, so the Xapian peer's homes (hard links
// into the corpus, Dovecot's own index files, the Xapian index) are kept between runs under
// <out>/xapian/<user and corpus>/, with what building the index cost (build.json). A home
// without build.json is a build that did not finish: it is laid out and built again.
import fs from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { corpusName } from "./corpus.js";
import { layoutMaildir, type Owner, type UserSpec } from "./layout.js";
import { childrenCpuMs } from "./procs.js";
import type { FtsBuild } from "./server.js";

/** Bump when the peer's settings change: an index built with other settings is not reused. */
const CACHE_VERSION = 1;
/** where the plugin keeps its index, below the user's home */
const INDEX_DIR = "Maildir/xapian-indexes";

export class XapianCache {
  constructor(readonly root: string) {}

  /** Makes `home` a link to the user's cached home, laying that out first if no build finished. */
  link(home: string, user: UserSpec, owner: Owner): void {
    const dir = this.dirOf(user);
    if (!fs.existsSync(path.join(dir, "build.json"))) {
      fs.rmSync(dir, { recursive: true, force: true });
      layoutMaildir(path.join(dir, "home"), user, owner);
    }
    fs.mkdirSync(path.dirname(home), { recursive: true, mode: 0o755 });
    fs.rmSync(home, { recursive: true, force: true });
    fs.symlinkSync(path.join(dir, "home"), home);
  }

  /** The cached build's figures, or runs `index` (synchronously, a child process) and keeps them. */
  build(home: string, index: () => void): FtsBuild {
    const dir = path.dirname(fs.realpathSync(home));
    const saved = path.join(dir, "build.json");
    if (fs.existsSync(saved)) return JSON.parse(fs.readFileSync(saved, "utf8")) as FtsBuild;
    const cpu0 = childrenCpuMs();
    const t0 = performance.now();
    index();
    const wallMs = performance.now() - t0;
    const built: FtsBuild = {
      wallMs,
      cpuMs: childrenCpuMs() - cpu0,
      bytes: treeBytes(path.join(home, INDEX_DIR)),
      cachedFrom: new Date().toISOString(),
    };
    fs.writeFileSync(saved, JSON.stringify(built));
    return { ...built, cachedFrom: undefined };
  }

  private dirOf(user: UserSpec): string {
    const boxes = Object.entries(user.mailboxes).map(([name, m]) => `${name}-${corpusName(m.corpus.spec)}-${m.count}`);
    return path.join(this.root, `v${CACHE_VERSION}-${user.name}-${boxes.join("-")}`);
  }
}

/** Bytes of the files below `dir` (0 when it does not exist). */
export function treeBytes(dir: string): number {
  let total = 0;
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    total += e.isDirectory() ? treeBytes(p) : fs.statSync(p).size;
  }
  return total;
}
