// Stands for node:module in the user-process bundle. Our sources call
// createRequire(import.meta.url) (which the bundle turns into the bundle's own file), some at
// module top, so inside the snapshot; pino calls it with the files on its call stack, the
// bundle again. A require made for the bundle resolves from where the bundle is at the time of
// each call (see runtime-require.cjs), not from where the snapshot was built.
const nodeModule = require("module");
const { pathToFileURL } = require("url");
const { bundleFile } = require("./runtime-require.cjs");

const builtAt = [__filename, pathToFileURL(__filename).href];

function createRequire(from) {
  if (!builtAt.includes(String(from))) return nodeModule.createRequire(from);
  const req = (id) => nodeModule.createRequire(bundleFile())(id);
  req.resolve = (id, options) => nodeModule.createRequire(bundleFile()).resolve(id, options);
  return req;
}

module.exports = { ...nodeModule, createRequire };
