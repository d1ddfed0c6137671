// The folder tree under an MH mail root: folders are directories, nested folders are
// subdirectories. Names here are relative paths with `/`; checking them is the caller's job.
import { promises as fsp } from "node:fs";
import { join, relative, sep } from "node:path";

/** Remembers each directory's subdirectories by its stat signature, so an unchanged folder of
 * 100,000 messages is not read again just to learn it has no subfolders. */
export interface DirCache {
  get(rel: string): { sig: string; subdirs: string[] } | undefined;
  set(rel: string, sig: string, subdirs: string[]): void;
}

/** A signature younger than this is not cached: a change in the same clock tick would hide. */
const RACY_MS = 2000;

/**
 * Every folder under root (relative paths, sorted). Dot directories are skipped, and so are
 * all-digit names (a numeric name is a message in MH, never a folder). Symlinked directories
 * are followed only when they resolve inside the root.
 */
export async function listFolders(root: string, cache?: DirCache): Promise<string[]> {
  const realRoot = await fsp.realpath(root);
  const out: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    const abs = rel === "" ? root : join(root, rel);
    let sig: string | null = null;
    if (cache) {
      try {
        const st = await fsp.stat(abs, { bigint: true });
        sig = `${st.ino}:${st.mtimeNs}:${st.ctimeNs}`;
        const hit = cache.get(rel);
        if (hit && hit.sig === sig) {
          for (const child of hit.subdirs) {
            out.push(child);
            await walk(child);
          }
          return;
        }
        if (Date.now() - Number(st.mtimeNs / 1_000_000n) < RACY_MS) sig = null;
      } catch {
        return;
      }
    }
    let ents: import("node:fs").Dirent[];
    try {
      ents = await fsp.readdir(abs, { withFileTypes: true });
    } catch {
      return;
    }
    const subdirs: string[] = [];
    for (const e of ents) {
      if (e.name.startsWith(".") || /^[0-9]+$/.test(e.name)) continue;
      const childRel = rel === "" ? e.name : `${rel}/${e.name}`;
      let isDir = e.isDirectory();
      if (e.isSymbolicLink()) {
        try {
          const real = await fsp.realpath(join(root, childRel));
          const r = relative(realRoot, real);
          if (r.startsWith("..") || r.startsWith(sep)) continue;
          isDir = (await fsp.stat(real)).isDirectory();
          if (isDir && out.some((f) => join(realRoot, f) === real)) continue; // loop guard
        } catch {
          continue;
        }
      }
      if (!isDir) continue;
      subdirs.push(childRel);
    }
    if (cache && sig !== null) cache.set(rel, sig, subdirs);
    for (const child of subdirs) {
      out.push(child);
      await walk(child);
    }
  };
  await walk("");
  return out.sort();
}

export async function createFolder(root: string, rel: string): Promise<void> {
  await fsp.mkdir(join(root, rel), { recursive: true, mode: 0o700 });
}

export async function renameFolder(root: string, from: string, to: string): Promise<void> {
  const dest = join(root, to);
  await fsp.mkdir(join(dest, ".."), { recursive: true, mode: 0o700 });
  await fsp.rename(join(root, from), dest);
}

/** Remove the folder's messages and `.mh_sequences`, and the directory when nothing else remains. */
export async function removeFolder(root: string, rel: string, withChildren: boolean): Promise<void> {
  const abs = join(root, rel);
  if (withChildren) {
    await fsp.rm(abs, { recursive: true, force: true });
    return;
  }
  for (const e of await fsp.readdir(abs, { withFileTypes: true })) {
    if (!e.isDirectory()) await fsp.unlink(join(abs, e.name)).catch(() => undefined);
  }
  await fsp.rmdir(abs).catch(() => undefined);
}
