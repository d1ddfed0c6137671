#!/usr/bin/env node
// Builds what asimapd starts user processes from (run by `npm run build`, after tsc):
//   dist/src/user/main.bundle.cjs     the user process in one CommonJS file (esbuild), so a
//                                     start reads and compiles one file instead of ~150 modules;
//   dist/src/user/main.snapshot.blob  a V8 startup snapshot of that bundle with every module
//                                     already evaluated and every function compiled (node
//                                     --build-snapshot of user-bundle/snapshot-builder.cjs);
//   dist/src/user/main.snapshot.json  the Node version, platform and arch that built the blob
//                                     (a blob only works in that same node binary) and the
//                                     environment variables module code read while building it
//                                     (their values are frozen in the blob).
// The daemon (src/daemon/user-entry.ts) uses the blob when all of that matches, else the bundle,
// else dist/src/user/main.js, and says which. What cannot be in a snapshot is kept out by the
// stand-ins in scripts/user-bundle/: native addons (better-sqlite3's) load right after
// the process starts (native-addons.cjs), worker_threads and thread-stream when pino first makes
// a --log-config transport, whose worker files pino-paths.cjs points at.
import { build } from "esbuild";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const shims = path.join(root, "scripts", "user-bundle");
const outDir = path.join(root, "dist", "src", "user");
const entry = path.join(outDir, "snapshot-entry.js");
const bundle = path.join(outDir, "main.bundle.cjs");
const blob = path.join(outDir, "main.snapshot.blob");
const meta = path.join(outDir, "main.snapshot.json");

function fail(msg) {
  process.stderr.write(`build-user-bundle: ${msg}\n`);
  process.exit(1);
}

if (!existsSync(entry)) fail(`${entry} is missing: run tsc first`);
for (const f of [bundle, blob, meta]) rmSync(f, { force: true });

// Which module is replaced by which shim (only imports from our compiled sources and from the
// packages they bundle; the shims themselves get the real node:module).
const REPLACED = {
  "bindings": "sqlite-bindings.cjs",
  "thread-stream": "lazy-thread-stream.cjs",
  "worker_threads": "worker-threads-main.cjs",
  "node:worker_threads": "worker-threads-main.cjs",
  "module": "module-shim.cjs",
  "node:module": "module-shim.cjs",
};
const shimPlugin = {
  name: "asimap-user-shims",
  setup(b) {
    b.onResolve({ filter: /^(bindings|thread-stream|(node:)?module|(node:)?worker_threads)$/ }, (args) => {
      if (args.importer.startsWith(shims + path.sep)) return undefined;
      // `bindings` only as better-sqlite3 uses it (a name we know); anything else is an error
      if (args.path === "bindings" && !args.importer.includes(`${path.sep}better-sqlite3${path.sep}`)) {
        return { errors: [{ text: `unexpected use of bindings by ${args.importer}` }] };
      }
      return { path: path.join(shims, REPLACED[args.path]) };
    });
  },
};

// While the snapshot is being built, every environment variable read (by our code or a
// package's) is noted; the footer writes them to the meta file with their values.
const banner = `"use strict";
var __asimapEnvRead = null, __asimapRealEnv = process.env;
if (require("v8").startupSnapshot?.isBuildingSnapshot()) {
  __asimapEnvRead = new Set();
  process.env = new Proxy(__asimapRealEnv, {
    get(t, k) { if (typeof k === "string") __asimapEnvRead.add(k); return Reflect.get(t, k); },
    has(t, k) { if (typeof k === "string") __asimapEnvRead.add(k); return Reflect.has(t, k); },
  });
}`;
// Built-in modules whose state does not survive a snapshot (a worker started later fails) must
// not be loaded while it is built: the footer stops the build if one was.
const footer = `if (__asimapEnvRead) {
  process.env = __asimapRealEnv;
  const unsafe = process.moduleLoadList.filter((m) => /^NativeModule (worker_threads|internal\\/worker)$/.test(m));
  if (unsafe.length) throw new Error("loaded while building the snapshot, unusable after it: " + unsafe.join(", "));
  const env = {};
  for (const k of [...__asimapEnvRead].sort()) env[k] = __asimapRealEnv[k] ?? null;
  require("fs").writeFileSync(__asimapRealEnv.ASIMAP_SNAPSHOT_META, JSON.stringify({
    node: process.version, platform: process.platform, arch: process.arch, env }, null, 2) + "\\n");
}`;

const result = await build({
  // Run as a plain script, SIGUSR1 and SIGUSR2 are claimed before anything else is evaluated
  // (src/signal-guard.ts; from the snapshot, start() does it); then pino's worker paths
  // (pino-paths.cjs), then the user process.
  stdin: {
    contents: `if (!require("v8").startupSnapshot?.isBuildingSnapshot()) ` +
      `require(${JSON.stringify(path.join(outDir, "..", "signal-guard.js"))}).claimDebugSignals();\n` +
      `require(${JSON.stringify(path.join(shims, "pino-paths.cjs"))});\nrequire(${JSON.stringify(entry)});\n`,
    resolveDir: outDir,
    sourcefile: "user-bundle-entry.cjs",
    loader: "js",
  },
  outfile: bundle,
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  plugins: [shimPlugin],
  banner: { js: banner },
  footer: { js: footer },
  // import.meta.url only feeds createRequire (replaced by the shim, which ignores it)
  define: { "import.meta.url": "__filename" },
  logLevel: "warning",
  legalComments: "none",
  // smaller source text kept in every process's heap (-3 MB RSS); names stay for stack traces
  // (ASIMAPD_USER_ENTRY=plain runs the unbundled modules when line numbers matter)
  minifyWhitespace: true,
  minifySyntax: true,
});
if (result.errors.length) fail("esbuild failed");

// The snapshot is built with a clean copy of our environment plus where to write the meta file,
// from snapshot-builder.cjs, which evaluates the bundle with every function compiled.
const env = { ...process.env, ASIMAP_SNAPSHOT_META: meta, ASIMAP_SNAPSHOT_BUNDLE: bundle };
const built = spawnSync(process.execPath,
  ["--no-warnings", "--snapshot-blob", blob, "--build-snapshot", path.join(shims, "snapshot-builder.cjs")],
  { cwd: outDir, env, encoding: "utf8" });
if (built.status !== 0 || !existsSync(blob) || !existsSync(meta)) {
  rmSync(blob, { force: true });
  rmSync(meta, { force: true });
  fail(`node --build-snapshot failed (${built.status ?? built.signal}):\n${built.stderr}${built.stdout}`);
}
// node refuses a blob whose V8 flags differ from its own (exit 14): the builder set one back,
// and this proves it did (a spare without asimapd's IPC channel starts, then stops, saying so)
const tried = spawnSync(process.execPath, ["--snapshot-blob", blob, "--", bundle, "--spare"], { encoding: "utf8" });
if (!/needs an IPC channel/.test(tried.stderr)) {
  rmSync(blob, { force: true });
  rmSync(meta, { force: true });
  fail(`the snapshot does not start (${tried.status ?? tried.signal}):\n${tried.stderr}`);
}
const info = JSON.parse(readFileSync(meta, "utf8"));
info.env = Object.fromEntries(Object.entries(info.env).filter(([k]) => k !== "ASIMAP_SNAPSHOT_META"));
writeFileSync(meta, JSON.stringify(info, null, 2) + "\n");
process.stdout.write(`build-user-bundle: ${path.relative(root, bundle)}, ${path.relative(root, blob)} (${process.version})\n`);
