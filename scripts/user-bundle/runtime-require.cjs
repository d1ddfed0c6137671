// A require that works at run time in the user-process bundle, also when the process started
// from the V8 startup snapshot: there the bundle's own __filename is where the snapshot was
// built, which need not be where the files are now (a Docker image copies dist/ elsewhere), so
// the path is taken from the process as it runs (snapshot-entry.ts records it).
const nodeModule = require("module");

function bundleFile() {
  return globalThis[Symbol.for("asimap.bundleFile")] ?? __filename;
}

let cached = { file: "", req: null };
function requireHere() {
  const file = bundleFile();
  if (cached.file !== file) cached = { file, req: nodeModule.createRequire(file) };
  return cached.req;
}

function runtimeRequire(id) {
  return requireHere()(id);
}
runtimeRequire.resolve = (id) => requireHere().resolve(id);

module.exports = { runtimeRequire, bundleFile };
