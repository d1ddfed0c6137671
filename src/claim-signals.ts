// Imported first by the entries that run as plain ES modules (asimapd.ts, user/main.ts): takes
// SIGUSR1 and SIGUSR2 before any other module loads (see signal-guard.ts), since modules
// evaluate in import order and the entry's own code runs after all of them.
import { claimDebugSignals } from "./signal-guard.js";

claimDebugSignals();
