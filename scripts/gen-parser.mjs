// Generates src/gen/imap-parser.js (+ .d.ts) from grammar/imap.peggy. Never edit the output.
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
mkdirSync("src/gen", { recursive: true });
execFileSync(
  "npx",
  [
    "peggy", "--format", "es", "--dts",
    "--allowed-start-rules", "*",
    // hoists Peggy's per-call set-up to module level: 5-10x faster on short IMAP lines
    "--plugin", "./grammar/peggy-hoist.mjs",
    "-o", "src/gen/imap-parser.js",
    "grammar/imap.peggy",
  ],
  { stdio: "inherit" },
);
