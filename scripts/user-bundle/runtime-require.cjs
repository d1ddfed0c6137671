// A require that works at run time in the user-process bundle, also when the process started
// from the V8 startup snapshot: there the bundle's own __filename is where the snapshot was
// built, which need not be where the files are now (a Docker image copies dist/ elsewhere), so
// the path is taken from the process as it runs (snapshot-entry.ts records it).
const nodeModule = require("module");

function bundleFile() {
  return globalThis[Symbol.for("asimap.bundleFile")] ?? __filename;
}

function runtimeRequire(id) {
  return nodeModule.createRequire(bundleFile())(id);
}
runtimeRequire.resolve = (id) => nodeModule.createRequire(bundleFile()).resolve(id);

module.exports = { runtimeRequire, bundleFile };
