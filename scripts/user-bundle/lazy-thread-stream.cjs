// Stands for thread-stream (pino's worker-thread stream, used by --log-config transports) in the
// user-process bundle. Node's worker_threads cannot be loaded while a startup snapshot is built
// (a worker started from such a process fails at once: "undefined is not an integer typed
// array"), so thread-stream, which loads it, is required from node_modules when pino first
// makes a transport, after the process has started.
const nodeModule = require("module");
const { runtimeRequire } = require("./runtime-require.cjs");

function ThreadStream(opts) {
  const Real = nodeModule.createRequire(runtimeRequire.resolve("pino"))("thread-stream");
  return new Real(opts);
}

module.exports = ThreadStream;
