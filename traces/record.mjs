#!/usr/bin/env node
// Records a golden trace: node traces/record.mjs <name> [mail-dir]
// Starts a fresh asimapd with --trace on a copy of the mail (default traces/mail-fixtures),
// runs traces/scripts/<name>.mjs, and writes traces/<name>/trace.jsonl and mail-before.
import fs from "node:fs";
import path from "node:path";
import { runScript } from "./lib/driver.mjs";
import { ROOT, startAsimapd } from "./lib/server.mjs";

const [name, mailArg] = process.argv.slice(2);
if (!name) {
  console.error("usage: node traces/record.mjs <name> [mail-dir]");
  process.exit(2);
}
const script = path.join(ROOT, "traces/scripts", `${name}.mjs`);
if (!fs.existsSync(script)) {
  console.error(`no script ${script}`);
  process.exit(2);
}
const out = path.join(ROOT, "traces", name);
const mailBefore = path.resolve(mailArg ?? path.join(ROOT, "traces/mail-fixtures"));
const steps = (await import(script)).default;
// Golden traces are test mail, recorded in full (replay must resend APPEND data).
const server = await startAsimapd({ mailBefore, extraArgs: ["--trace-bodies"] });
try {
  await runScript(steps, server);
} finally {
  await server.stop();
}
fs.mkdirSync(out, { recursive: true });
fs.copyFileSync(server.traceFile, path.join(out, "trace.jsonl"));
const link = path.join(out, "mail-before");
fs.rmSync(link, { recursive: true, force: true });
// Mail kept under traces/ is shared by a symlink; any other start state is copied in.
if (mailBefore.startsWith(path.join(ROOT, "traces") + path.sep)) fs.symlinkSync(path.relative(out, mailBefore), link);
else fs.cpSync(mailBefore, link, { recursive: true });
server.cleanup();
console.log(`recorded ${path.relative(ROOT, out)}/trace.jsonl (${fs.readFileSync(path.join(out, "trace.jsonl"), "utf8").split("\n").length - 1} records)`);
