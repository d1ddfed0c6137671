// Which program user processes start from. `npm run build` makes three, fastest first (see
// scripts/build-user-bundle.mjs): a V8 startup snapshot of the bundled user process (every
// module already evaluated), the bundle itself (one file to compile), and the plain ES modules.
// A blob only works in the node binary that built it, and module code read some environment
// variables while it was built (their values are frozen in it): when either differs, or a file
// is missing, the next one is used and the reason is said once.
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";

export type UserEntryKind = "snapshot" | "bundle" | "plain";

export interface UserEntry {
  kind: UserEntryKind;
  /** node arguments that start it, before the user process's own arguments */
  argv: string[];
  /** why a faster kind was not used (undefined when the snapshot is) */
  fallback?: string;
  /** for the snapshot: what to start if it turns out not to load here (the bundle); node
   *  refuses a blob when V8 flags differ from the build's (NODE_OPTIONS, ASIMAP_USER_NODE_OPTIONS) */
  ifUnusable?: string[];
}

/** What build-user-bundle.mjs writes beside the blob. */
interface SnapshotMeta {
  node: string;
  platform: string;
  arch: string;
  env: Record<string, string | null>;
}

export const BUNDLE = "main.bundle.cjs";
export const BLOB = "main.snapshot.blob";
export const META = "main.snapshot.json";

/**
 * The user-process program in `dir` (dist/src/user). `want` limits it to a slower kind
 * (ASIMAPD_USER_ENTRY=bundle|plain, for comparing and debugging).
 */
export function chooseUserEntry(dir: string, env: NodeJS.ProcessEnv = process.env,
  want: UserEntryKind = "snapshot"): UserEntry {
  const plain: UserEntry = { kind: "plain", argv: [path.join(dir, "main.js")] };
  const bundle = path.join(dir, BUNDLE);
  if (want === "plain") return { ...plain, fallback: "ASIMAPD_USER_ENTRY=plain" };
  if (!existsSync(bundle)) return { ...plain, fallback: `${bundle} is missing (npm run build makes it)` };
  const bundled: UserEntry = { kind: "bundle", argv: [bundle] };
  if (want === "bundle") return { ...bundled, fallback: "ASIMAPD_USER_ENTRY=bundle" };
  const blob = path.join(dir, BLOB);
  const why = unusableSnapshot(blob, path.join(dir, META), env);
  if (why) return { ...bundled, fallback: why };
  // argv[1] stays the bundle's path: the process finds its native addons from there
  return { kind: "snapshot", argv: ["--snapshot-blob", blob, "--", bundle], ifUnusable: bundled.argv };
}

/** Why the blob cannot be used here, or null if it can. */
function unusableSnapshot(blob: string, metaFile: string, env: NodeJS.ProcessEnv): string | null {
  if (!existsSync(blob)) return `${blob} is missing (npm run build makes it)`;
  let meta: SnapshotMeta;
  try {
    meta = JSON.parse(readFileSync(metaFile, "utf8")) as SnapshotMeta;
  } catch (e) {
    return `${metaFile} unreadable: ${(e as Error).message}`;
  }
  if (meta?.node !== process.version || meta.platform !== process.platform || meta.arch !== process.arch) {
    return `${blob} was built by node ${meta?.node} (${meta?.platform}-${meta?.arch}), this is ${process.version} ` +
      `(${process.platform}-${process.arch}); run npm run build again`;
  }
  for (const [k, v] of Object.entries(meta.env ?? {})) {
    if ((env[k] ?? null) !== v) return `${k} differs from its value when ${blob} was built (frozen in it)`;
  }
  return null;
}

/** ASIMAPD_USER_ENTRY: the fastest kind to use (default snapshot); anything else is an error. */
export function wantedUserEntry(env: NodeJS.ProcessEnv = process.env): UserEntryKind {
  const v = env.ASIMAPD_USER_ENTRY;
  if (v === undefined || v === "") return "snapshot";
  if (v === "snapshot" || v === "bundle" || v === "plain") return v;
  throw new Error(`ASIMAPD_USER_ENTRY: expected snapshot, bundle or plain, not ${JSON.stringify(v)}`);
}

/** What a user process started as root keeps of asimapd's environment: the time zone and
 *  locale, Node's and libuv's own settings, ours. Not HOME, USER, LOGNAME or MH: those are
 *  root's, and the process takes its owner's once it knows who that is (user/owner-env.ts). */
const KEPT_FROM_ROOT = /^(PATH|TZ|LANG|LANGUAGE|LC_[A-Z_]+|NODE_[A-Z0-9_]+|UV_[A-Z0-9_]+|ASIMAP_[A-Z0-9_]+|ENABLE_MH_FILE_LOCKING)$/;

/**
 * The environment a user process starts with: asimapd's, without what only costs it, and as
 * root (the process becomes another user) without anything but what it needs.
 * NODE_EXTRA_CA_CERTS makes every node process parse that PEM file when it starts (on the
 * test machine, a 140-certificate bundle: 70 of a start's 100 ms of CPU), and a user process
 * verifies no TLS peer: the root process holds the TLS connections.
 */
export function userProcessEnv(env: NodeJS.ProcessEnv = process.env,
  asRoot = process.getuid?.() === 0): NodeJS.ProcessEnv {
  const { NODE_EXTRA_CA_CERTS: _unused, ...rest } = env;
  if (!asRoot) return rest;
  return Object.fromEntries(Object.entries(rest).filter(([k]) => KEPT_FROM_ROOT.test(k)));
}
