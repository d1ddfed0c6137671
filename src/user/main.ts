#!/usr/bin/env node
// The user process's plain entry (ES modules from dist/): what asimapd starts when the bundle
// or its startup snapshot is missing or unusable, and what one runs by hand. See serve.ts.
import "../claim-signals.js"; // first: SIGUSR1 must never open Node's inspector
import { runUserProcess } from "./serve.js";

runUserProcess();
