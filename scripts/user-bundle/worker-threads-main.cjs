// Stands for node:worker_threads in the user-process bundle, where pino only asks whether it
// runs on the main thread (it always does: the bundle is never a worker's script). The real
// module cannot be loaded while a startup snapshot is built (a worker started from such a
// process fails at once); pino's transports load it from node_modules later
// (lazy-thread-stream.cjs). Anything else asked of this stand-in stops the build.
module.exports = new Proxy({ isMainThread: true }, {
  get(target, key) {
    if (typeof key === "symbol" || key === "__esModule" || key in target) return target[key];
    throw new Error(`worker_threads.${key} is not available in the user-process bundle (worker-threads-main.cjs)`);
  },
});
