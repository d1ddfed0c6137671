// The entry of `node --build-snapshot` (see build-user-bundle.mjs): evaluates the user-process
// bundle with every function compiled at once, so the snapshot holds their bytecode. V8
// otherwise compiles a function when it is first called, and the code of a login (the store,
// the session, the commands) never runs while the snapshot is built: each user process
// compiled it anew, a quarter of a login's CPU. The flag is set back before the snapshot is
// written, so the blob carries the same V8 flags as the processes that start from it.
const v8 = require("v8");
const vm = require("vm");
const { readFileSync } = require("fs");
const path = require("path");
const { wrap } = require("module");

const file = process.env.ASIMAP_SNAPSHOT_BUNDLE;
v8.setFlagsFromString("--no-lazy");
let run;
try {
  run = vm.runInThisContext(wrap(readFileSync(file, "utf8")), { filename: file });
} finally {
  v8.setFlagsFromString("--lazy");
}
const mod = { exports: {} };
run.call(mod.exports, mod.exports, require, mod, file, path.dirname(file));
