#!/usr/bin/env node
// Builds the native part of the server (run by `npm run build`, after tsc):
//   dist/src/native/asimap_native.node   from the C files of src/native/ (a Node-API addon: it
//                                        works in every Node >= 20 without a rebuild)
// A few C files with no dependency but Node's own headers, so they are compiled with the C compiler
// directly (no node-gyp, no Python, no download): CC (default cc) with the headers of the node
// that runs this script (<prefix>/include/node), or of npm's nodedir, or ASIMAP_NODE_INCLUDE.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const srcDir = path.join(root, "src", "native");
const sources = readdirSync(srcDir).filter((f) => f.endsWith(".c")).sort().map((f) => path.join(srcDir, f));
const outDir = path.join(root, "dist", "src", "native");
const out = path.join(outDir, "asimap_native.node");

const candidates = [
  process.env.ASIMAP_NODE_INCLUDE,
  process.env.npm_config_nodedir && path.join(process.env.npm_config_nodedir, "include", "node"),
  path.join(path.dirname(process.execPath), "..", "include", "node"),
].filter(Boolean);
const include = candidates.find((d) => existsSync(path.join(d, "node_api.h")));
if (!include) {
  process.stderr.write(`build-native: node_api.h not found in ${candidates.join(", ")}; ` +
    "install Node's headers (they come with Node's own packages) or set ASIMAP_NODE_INCLUDE\n");
  process.exit(1);
}
mkdirSync(outDir, { recursive: true });
rmSync(out, { force: true });
const cc = process.env.CC || "cc";
const args = ["-O2", "-std=c11", "-D_GNU_SOURCE", "-Wall", "-Wextra", "-Werror", "-Wno-unused-parameter",
  "-fPIC", "-shared", "-DNODE_GYP_MODULE_NAME=asimap_native", "-I", include, "-o", out, ...sources];
const r = spawnSync(cc, args, { stdio: "inherit" });
if (r.status !== 0) {
  process.stderr.write(`build-native: ${cc} ${args.join(" ")} failed (${r.error?.message ?? r.status ?? r.signal})\n`);
  process.exit(1);
}
process.stdout.write(`build-native: ${path.relative(root, out)}\n`);
