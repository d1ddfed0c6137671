// APPEND's file work: each message written under the next free number, with its guard copy
// (see append-guards.ts); all or nothing.
import { addMessage, removeMessages } from "../mh/folder.js";
import { MEMORY_GUARD_MAX, dropGuardFile, guardOf, type Guard } from "./append-guards.js";
import { normaliseFlags } from "./flags.js";
import { crlfSize } from "./message-index.js";
import type { NewMessage } from "./rescan.js";
import { StoreError, type Flag } from "./contract.js";

export interface Appended { data: Buffer; flags: Flag[]; internalDate?: Date }

/**
 * `highest`: the folder's highest number, known from a look just before (no readdir to find the
 * next one); `claimed` is told each number taken. On failure every file written is removed.
 */
export async function writeAppends(
  dir: string, msgs: readonly Appended[], highest: number, claimed: (num: number) => void,
): Promise<{ added: NewMessage[]; guards: Guard[] }> {
  const added: NewMessage[] = [];
  const guards: Guard[] = [];
  try {
    let after = 0;
    for (const m of msgs) {
      const date = m.internalDate ?? new Date();
      const a = await addMessage(dir, m.data, date, after, m.data.length > MEMORY_GUARD_MAX, highest);
      after = a.num;
      claimed(a.num);
      added.push({ num: a.num, ino: a.ino, size: a.size, mtime: a.mtimeMs, crlfSize: crlfSize(m.data) });
      guards.push(guardOf(a, m.data, normaliseFlags(m.flags), true));
    }
  } catch (e) {
    await undoAppends(dir, added, guards);
    if ((e as NodeJS.ErrnoException).code === "ENOSPC") throw new StoreError("OVERQUOTA", "no space left");
    throw e;
  }
  return { added, guards };
}

/** Removes what writeAppends wrote (the files and their guard copies). */
export async function undoAppends(dir: string, added: readonly NewMessage[], guards: readonly Guard[]): Promise<void> {
  await removeMessages(dir, added.map((a) => a.num));
  for (const g of guards) await dropGuardFile(g);
}
