// A temporary HOME with an MH profile and mail root, and a way to run the real nmh tools in it.
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ts from "typescript";
import { openUserStore, type StoreOptions, type UserStore } from "../../src/store/open-store.js";

export const NMH = "/usr/bin/mh";

export interface MhHome {
  home: string;
  root: string;
  env: NodeJS.ProcessEnv;
  /** run an nmh command; returns stdout */
  mh(cmd: string, ...args: string[]): string;
  /** an mbox file with these messages (LF), for `inc -file` */
  mbox(msgs: string[]): string;
  cleanup(): void;
}

export function makeMhHome(profileExtra = ""): MhHome {
  const home = mkdtempSync(join(tmpdir(), "asimap-store-"));
  const root = join(home, "Mail");
  mkdirSync(join(root, "inbox"), { recursive: true });
  writeFileSync(join(home, ".mh_profile"), `Path: Mail\n${profileExtra}`);
  const env = { ...process.env, HOME: home, MH: join(home, ".mh_profile"), MHCONTEXT: join(root, "context") };
  process.env.MH = env.MH;
  let n = 0;
  return {
    home, root, env,
    mh(cmd, ...args) {
      return execFileSync(join(NMH, cmd), args, { env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    },
    mbox(msgs) {
      const path = join(home, `mbox-${n++}`);
      writeFileSync(path, msgs.map((m) => `From sender@example.com Thu Jan  1 00:00:00 2026\n${m}\n`).join(""));
      return path;
    },
    cleanup() {
      rmSync(home, { recursive: true, force: true });
    },
  };
}

export function msg(subject: string, body = "hello\n"): string {
  return `From: a@example.com\nTo: b@example.com\nSubject: ${subject}\nMessage-ID: <${subject.replace(/\W/g, "")}@x>\n\n${body}`;
}

/**
 * The setup most store tests share: a fresh MH home with a store opened on it. Use as
 * `beforeEach(async () => ({ h, store } = await freshStore()))` and
 * `afterEach(() => endStore(store, h))`.
 */
export async function freshStore(profileExtra = "", opts: StoreOptions = {}): Promise<{ h: MhHome; store: UserStore }> {
  const h = makeMhHome(profileExtra);
  return { h, store: await openUserStore(h.root, opts) };
}

/** Close the store the test left open (if any) and remove its home. */
export async function endStore(store: UserStore | null | undefined, h: MhHome): Promise<void> {
  try {
    await store?.close();
  } finally {
    h.cleanup();
  }
}

/**
 * The store's sources transpiled into a temporary directory, for a plain `node` child (Node 20
 * cannot run TypeScript) that a test kills: import "./src/store/open-store.js" from a script written
 * there. The caller removes the directory.
 */
export function transpileStore(): string {
  const repo = join(import.meta.dirname, "..", "..");
  const out = mkdtempSync(join(tmpdir(), "asimap-store-build-"));
  symlinkSync(join(repo, "node_modules"), join(out, "node_modules"));
  writeFileSync(join(out, "package.json"), '{"type":"module"}');
  for (const dir of ["src/store", "src/mh", "src/message", "src/native"]) {
    for (const f of readdirSync(join(repo, dir))) {
      if (!f.endsWith(".ts")) continue;
      const js = ts.transpileModule(readFileSync(join(repo, dir, f), "utf8"), {
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      }).outputText;
      mkdirSync(join(out, dir), { recursive: true });
      writeFileSync(join(out, dir, f.replace(/\.ts$/, ".js")), js);
    }
  }
  // the native addon, as the build puts it next to the compiled sources
  copyFileSync(join(repo, "dist", "src", "native", "asimap_native.node"), join(out, "src", "native", "asimap_native.node"));
  return out;
}
