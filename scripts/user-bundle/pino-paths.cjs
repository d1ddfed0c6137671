// pino starts its transports (--log-config "transport") in worker threads from files it finds
// next to its own modules; in the bundle those are not next to it. pino looks in
// globalThis.__bundlerPathsOverrides first: this answers with the real files in node_modules,
// found when asked (at run time, so the answer holds wherever the files are then).
// (thread-stream itself is loaded from node_modules: lazy-thread-stream.cjs.)
const { runtimeRequire } = require("./runtime-require.cjs");

const PATHS = {
  "pino-worker": () => runtimeRequire.resolve("pino/lib/worker.js"),
  "pino/file": () => runtimeRequire.resolve("pino/file.js"),
};

globalThis.__bundlerPathsOverrides = new Proxy({}, {
  get: (_, key) => (typeof key === "string" && Object.hasOwn(PATHS, key) ? PATHS[key]() : undefined),
  has: (_, key) => Object.hasOwn(PATHS, key),
});
