// The entry of the user-process bundle (scripts/build-user-bundle.mjs bundles it into
// main.bundle.cjs and builds main.snapshot.blob from it). Building the snapshot evaluates every
// module once and stops; each process started from the blob begins in start() with all modules
// already evaluated. Run as a plain script (`node main.bundle.cjs`), it starts at once.
import v8 from "node:v8";
import { runUserProcess } from "./serve.js";
import { claimDebugSignals } from "../signal-guard.js";
import { warmUp } from "./warm-up.js";

const g = globalThis as Record<symbol, unknown>;

function start(how: "snapshot" | "bundle"): void {
  claimDebugSignals(); // first thing a process does (signal-guard.ts)
  g[Symbol.for("asimap.userStart")] = how;
  // The bundle's native addons (scripts/user-bundle/native-addons.cjs), outside the snapshot.
  for (const load of (g[Symbol.for("asimap.nativeAddons")] as Array<() => unknown> | undefined) ?? []) load();
  runUserProcess();
}

if (v8.startupSnapshot?.isBuildingSnapshot()) {
  warmUp();
  v8.startupSnapshot.setDeserializeMainFunction(() => {
    // asimapd starts `node --snapshot-blob <blob> -- <bundle> args...`: argv[1] is where the
    // bundle is now, which the bundle's require (scripts/user-bundle/runtime-require.cjs) uses.
    g[Symbol.for("asimap.bundleFile")] = process.argv[1];
    start("snapshot");
  });
} else {
  start("bundle");
}
