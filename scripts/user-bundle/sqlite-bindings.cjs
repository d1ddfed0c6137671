// Stands for the `bindings` package inside better-sqlite3 in the user-process bundle.
// better-sqlite3's JavaScript is bundled (and so is in the startup snapshot); its native addon
// cannot be. It is loaded from where npm built it, else through `bindings` itself (which knows
// the other build layouts), when the process starts (see native-addons.cjs).
const { existsSync } = require("fs");
const path = require("path");
const { runtimeRequire } = require("./runtime-require.cjs");
const { nativeAddon } = require("./native-addons.cjs");

const load = nativeAddon(() => {
  const main = runtimeRequire.resolve("better-sqlite3");
  const built = path.join(path.dirname(main), "..", "build", "Release", "better_sqlite3.node");
  if (existsSync(built)) return runtimeRequire(built);
  return require("module").createRequire(main)("bindings")("better_sqlite3.node");
});

module.exports = function bindings(name) {
  if (name !== "better_sqlite3.node") throw new Error(`bindings shim: unexpected addon ${name}`);
  return load();
};
