// Sizes as an administrator writes them: "1048576", "512K", "64M", "1G", "2T" (1024-based; KiB,
// MB, GiB and the like are read the same). Shared by asimapd's options and the password file.
const UNITS: Record<string, number> = { "": 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

/** The size in bytes, or null when the text is not one. */
export function sizeInBytes(v: string): number | null {
  const m = /^([0-9]+)([KMGT]i?B?)?$/i.exec(v.trim());
  if (!m) return null;
  const n = Number(m[1]) * UNITS[(m[2] ?? "").charAt(0).toUpperCase()];
  return Number.isSafeInteger(n) ? n : null;
}
