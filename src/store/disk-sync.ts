// A folder's view of its disk: what it last saw of the directory and `.mh_sequences` (their stat
// signatures, whether they are racy, see stat-trust.ts), the look that finds what changed since, and
// our own writes to both, so that the next look does not take them for someone else's.
import { statSync } from "node:fs";
import { join } from "node:path";
import { readSequences, updateSequences, SEQUENCES_FILE } from "../mh/folder.js";
import { SequencesFormatError, type Sequences } from "../mh/sequences.js";
import type { Changes, DiskStamps } from "./commit.js";
import type { StoreContext } from "./context.js";
import { RACY_LOOK_EVERY_MS, fineStamp, isRacy } from "./stat-trust.js";
import type { StoredRecord } from "./record.js";
import { rescanFolder } from "./rescan.js";
import { StoreError } from "./contract.js";

/** What a look needs of its folder. */
export interface LookedAt {
  readonly name: string;
  /** the records, loaded if they were not yet */
  records(): readonly StoredRecord[];
  /** the directory is gone */
  markGone(): void;
}

/** Our change merged into `.mh_sequences` (see DiskSync.mergeSequences). */
export interface SequencesMerged {
  seqs: Sequences;
  /** the sequences our change was made on, and the numbers it touched (null: not known) */
  base: Sequences;
  touched: ReadonlySet<number> | null;
  /** the file was written; then its new signature */
  written: boolean;
  seqSig: string;
}

export class DiskSync implements DiskStamps {
  dirSig: string | null;
  seqSig: string | null;
  racy: boolean;
  /** numbers we added since the last scan (for rescan.ts: ours, not someone else's) */
  readonly pendingSelf = new Set<number>();
  /** looks begun that see every change made before they began (for FolderWatch's hints) */
  looksBegun = 0;
  /** when the directory was last read (Date.now), and the timer set for a deferred look */
  private lookedAt = 0;
  private lookTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly ctx: StoreContext,
    private readonly id: number,
    readonly dir: string,
    stamps: DiskStamps,
    /** a look put off (see lookedJustNow) is due */
    private readonly lookLater: () => void,
  ) {
    this.dirSig = stamps.dirSig;
    this.seqSig = stamps.seqSig;
    this.racy = stamps.racy;
  }

  /** Take the stamps a commit wrote. */
  settle(st: DiskStamps): void {
    this.dirSig = st.dirSig;
    this.seqSig = st.seqSig;
    this.racy = st.racy;
  }

  /**
   * What changed on disk since the last look: null if nothing, "again" if the directory moved
   * while it was read (the caller looks again, `attempt` counts). `forAppend`: a racy folder (see
   * stat-trust.ts) is not read again just because it is racy. After an APPEND of our own the folder
   * is racy until its next look, so a run of APPENDs would read the whole directory once each. An
   * APPEND needs no picture of the old messages (link() never takes a number in use); whatever
   * hid in the racy window is found by the next other sync, since the folder stays racy until
   * one has looked.
   */
  async look(folder: LookedAt, deep: boolean, forAppend: boolean, attempt: number): Promise<Changes | "again" | null> {
    const dst = await this.statDir(folder);
    const sst = await this.statSequences();
    const dirChanged = dst.sig !== this.dirSig;
    const seqChanged = sst.sig !== this.seqSig;
    let racyScan = this.racy && !forAppend;
    if (racyScan && !deep && !dirChanged && !seqChanged && this.lookedJustNow(dst.mtimeNs, sst.exists ? sst.mtimeNs : null)) {
      racyScan = false;
    }
    // a sync of a racy folder that does not read it is not a complete look (see FolderWatch);
    // nothing between the stats and here lets a watch event in
    if (!this.racy || deep || dirChanged || racyScan) this.looksBegun++;
    if (!deep && !dirChanged && !seqChanged && !racyScan) return null;
    const recs = folder.records();

    const scanNs = BigInt(Date.now()) * 1_000_000n;
    const scanDir = deep || dirChanged || racyScan;
    // a racy folder not looked at stays racy
    const racy = isRacy(scanNs, dst.mtimeNs) || (sst.exists && isRacy(scanNs, sst.mtimeNs)) || (this.racy && !scanDir);
    const changes: Changes = { dirSig: dst.sig, seqSig: sst.sig, racy };

    // .mh_sequences is read after the readdir: during the stats when the directory is read
    let seqRead = null as ReturnType<typeof readSequences> | null;
    const readSeqs = () => {
      seqRead = readSequences(this.dir, true);
      seqRead.catch(() => undefined); // awaited below; a scan that fails must not leave it unhandled
    };
    if (scanDir) {
      this.lookedAt = Date.now();
      const { deferred, ...found } = await rescanFolder(this.dir, recs, this.pendingSelf, deep, dirChanged, readSeqs);
      Object.assign(changes, found);
      // its writing changes no directory stamp: only a folder kept racy is read again for it
      if (deferred) changes.racy = true;
      this.pendingSelf.clear();
    }
    try {
      // shared: commit keeps it as lastSeqs and never changes it
      changes.seqs = (await (seqRead ?? readSequences(this.dir, true))).seqs;
    } catch (e) {
      if (!(e instanceof SequencesFormatError)) throw e;
      // nmh refuses such a file too; keep the flags we knew until someone fixes it
      this.ctx.log.warn({ mailbox: folder.name, err: e.message }, "ignoring a poorly formatted .mh_sequences");
    }
    // The directory and .mh_sequences are looked at moments apart, and nmh may work in between
    // (`folder -pack` renames, then writes its new sequences): sequences newer than the scan would
    // be applied to the old numbering and make flags flicker. If the directory moved meanwhile,
    // look again; if it keeps moving, keep the flags we know and come back soon.
    const after = await trySig(this.dir);
    if (after !== null && after.sig !== dst.sig) {
      if (attempt < 3) return "again";
      delete changes.seqs;
      changes.racy = true;
    }
    return changes;
  }

  private async statDir(folder: LookedAt): Promise<Stat> {
    try {
      return await statSig(this.dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") {
        folder.markGone();
        throw new StoreError("NONEXISTENT", `mailbox ${folder.name} no longer exists`);
      }
      throw e;
    }
  }

  private async statSequences(): Promise<Stat> {
    return (await trySig(join(this.dir, SEQUENCES_FILE))) ?? NO_FILE;
  }

  /**
   * A racy folder with fine stamps whose directory was read less than RACY_LOOK_EVERY_MS ago is
   * not read again by this sync (see stat-trust.ts); a look is set for when that time is up, so what
   * hid behind our own stamps is found then even if nobody asks.
   */
  private lookedJustNow(dirStamp: bigint, seqStamp: bigint | null): boolean {
    const since = Date.now() - this.lookedAt;
    if (since >= RACY_LOOK_EVERY_MS || !fineStamp(dirStamp) || (seqStamp !== null && !fineStamp(seqStamp))) return false;
    this.lookTimer ??= setTimeout(() => {
      this.lookTimer = null;
      this.lookLater();
    }, RACY_LOOK_EVERY_MS - since);
    this.lookTimer.unref();
    return true;
  }

  stopTimer(): void {
    if (this.lookTimer) clearTimeout(this.lookTimer);
    this.lookTimer = null;
  }

  /** The highest message number: of the records or ours since (the folder's, right after a look). */
  highestNum(recs: readonly StoredRecord[]): number {
    let max = 0;
    for (const r of recs) if (r.num > max) max = r.num;
    for (const n of this.pendingSelf) if (n > max) max = n;
    return max;
  }

  /**
   * Run a change of our own to the folder's directory (files added or removed, `.mh_sequences`
   * renamed in). If nobody else had changed the directory since our last scan, its new stat
   * signature is taken as known, so the next sync does not mistake our change for a `sortm`
   * and re-check every file. If someone had, the signature stays old and the next sync looks.
   */
  async ownDirChange<T>(fn: () => Promise<T>): Promise<T> {
    const before = await trySig(this.dir);
    const result = await fn();
    if (before !== null && before.sig === this.dirSig) {
      const after = await trySig(this.dir);
      // unchanged: nobody changed the directory meanwhile, we neither (a STORE that changed nothing)
      if (after && after.sig !== before.sig) {
        this.dirSig = after.sig;
        this.racy = true; // a change in the same clock tick would hide behind it: look next time
        this.ctx.stmts.setDirSig.run(after.sig, this.id);
      }
    }
    return result;
  }

  /**
   * Merge our change into `.mh_sequences` as it is on disk now (never overwriting a concurrent
   * `mark`); the caller takes the result as the truth for every message's flags.
   */
  async mergeSequences(mutate: (seqs: Sequences) => void, name: string): Promise<SequencesMerged> {
    let seqs: Sequences, base: Sequences, touched: ReadonlySet<number> | null, written: boolean;
    let ino: number | undefined, sst = NO_FILE;
    for (let attempt = 1; ; attempt++) {
      try {
        ({ seqs, base, touched, written, ino } = await updateSequences(this.dir, this.ctx.seqUpdate, (s) => {
          mutate(s);
          s.delete("Recent"); // the old server's; IMAP \Recent is not kept on disk any more
        }));
      } catch (e) {
        if (e instanceof SequencesFormatError) {
          throw new StoreError("CANNOT", `${SEQUENCES_FILE} in ${name} is poorly formatted: ${e.message}`);
        }
        throw e;
      }
      if (!written) break;
      sst = await this.statSequences();
      // nmh's `mark` removes the file when it leaves no public sequence, deciding from what it
      // read before our write: then ours went with it (or another writer's replaced it). Make
      // our change again on what is there now; a missing file is MH's "no sequences".
      if (sst.ino === ino || attempt >= 5) break;
    }
    return { seqs, base, touched, written, seqSig: sst.sig };
  }
}

interface Stat { sig: string; mtimeNs: bigint; exists: boolean; ino: number }

/** Synchronous: a stat through the thread pool cost more than the stat (two per sync). */
async function statSig(path: string): Promise<Stat> {
  const st = statSync(path, { bigint: true });
  return { sig: `${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`, mtimeNs: st.mtimeNs, exists: true, ino: Number(st.ino) };
}

function trySig(path: string): Promise<Stat | null> {
  return statSig(path).catch(() => null);
}

/** The signature of a missing file (MH: no sequences). */
const NO_FILE: Stat = { sig: "none", mtimeNs: 0n, exists: false, ino: -1 };
