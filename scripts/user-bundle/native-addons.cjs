// The native addons of the user-process bundle, loaded once each. snapshot-entry.ts loads them
// all as soon as the process starts (through the global below): while it is still a spare,
// still root, and before the pool hands it out, so neither their cost nor their file
// permissions meet a user's login.
const LOADERS = Symbol.for("asimap.nativeAddons");
globalThis[LOADERS] ??= [];

function nativeAddon(loadIt) {
  let addon = null;
  const load = () => (addon ??= loadIt());
  globalThis[LOADERS].push(load);
  return load;
}

module.exports = { nativeAddon };
