// The store's entry point: open a user's mail root.
import { promises as fsp } from "node:fs";
import { loadProfile, profilePath } from "../mh/profile.js";
import { prepareStatements, silentLogger, type StoreContext } from "./context.js";
import { openStateDb } from "./db.js";
import { FlagMap } from "./flags.js";
import { importLegacy } from "./legacy-import.js";
import { MhUserStore } from "./user-store.js";
import { UserQuota } from "./quota.js";
import type { StoreOptions, UserStore } from "./contract.js";

export * from "./contract.js";
export { STATE_DB } from "./db.js";
export { MhMailbox } from "./mailbox.js";
export { MhUserStore, SPECIAL_FOLDERS } from "./user-store.js";
export { QUOTA_ROOT } from "./quota.js";

/** How long a write waits for nmh's lock before going on without it (and warning). */
export const LOCK_TIMEOUT_MS = 2000;

/**
 * ENABLE_MH_FILE_LOCKING: on unless 0, false or no (any case). The old server had it off by
 * default because it held a descriptor per folder; we hold the lock only while writing, and
 * without it a `mark` racing a STORE can lose either side's change.
 */
export function lockingFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  return !["0", "false", "no"].includes((env.ENABLE_MH_FILE_LOCKING ?? "").trim().toLowerCase());
}

/**
 * Open (creating when missing) the MH mail root `root`: state database, INBOX and the
 * special-use folders, an old asimap.db imported on first open. The MH profile (`$MH` or
 * `~/.mh_profile`) names the unseen sequence.
 */
export async function openUserStore(root: string, opts: StoreOptions = {}): Promise<UserStore> {
  await fsp.mkdir(root, { recursive: true, mode: 0o700 });
  const log = opts.logger ?? silentLogger;
  const { unseenSequences } = loadProfile();
  log.debug({ profile: profilePath(), unseenSequences }, "MH profile read");
  const db = openStateDb(root);
  const ctx: StoreContext = {
    root,
    db,
    flags: new FlagMap(unseenSequences),
    log,
    pollMs: opts.pollMs ?? 1000,
    seqUpdate: {
      lock: opts.locking ? { timeoutMs: opts.lockTimeoutMs ?? LOCK_TIMEOUT_MS, warn: (o, m) => log.warn(o, m) } : null,
    },
    stmts: prepareStatements(db),
    quota: new UserQuota(db),
    onChange: opts.onChange,
  };
  try {
    await importLegacy(ctx);
    const store = new MhUserStore(ctx);
    await store.init();
    return store;
  } catch (e) {
    db.close();
    throw e;
  }
}
