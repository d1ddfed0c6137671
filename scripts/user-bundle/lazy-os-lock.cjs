// Stands for os-lock (fcntl locks, a native addon) in the user-process bundle: a native addon
// cannot be part of a V8 startup snapshot, so it is loaded when the process starts (see
// native-addons.cjs).
const { runtimeRequire } = require("./runtime-require.cjs");
const { nativeAddon } = require("./native-addons.cjs");

const load = nativeAddon(() => runtimeRequire("os-lock"));

module.exports = {
  lock: (...args) => load().lock(...args),
  unlock: (...args) => load().unlock(...args),
};
