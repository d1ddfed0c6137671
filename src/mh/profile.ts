// The user's MH profile (`$MH` or `~/.mh_profile`): we need only `Unseen-Sequence` (and `Path`
// for tools). Missing or unreadable profile = nmh's defaults.
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

export interface MhProfile {
  /** the profile's entries, keys lower-cased */
  entries: Map<string, string>;
  /** sequences nmh puts new mail in; `\Seen` = in none of them. Never empty. */
  unseenSequences: string[];
}

export function parseProfile(text: string): Map<string, string> {
  const entries = new Map<string, string>();
  let last: string | null = null;
  for (const line of text.split("\n")) {
    if ((line.startsWith(" ") || line.startsWith("\t")) && last !== null) {
      entries.set(last, `${entries.get(last)} ${line.trim()}`.trim());
      continue;
    }
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    last = line.slice(0, colon).trim().toLowerCase();
    entries.set(last, line.slice(colon + 1).trim());
  }
  return entries;
}

export function profileFromText(text: string | null): MhProfile {
  const entries = text === null ? new Map<string, string>() : parseProfile(text);
  const names = (entries.get("unseen-sequence") ?? "").split(/[\s,]+/).filter((s) => s !== "");
  return { entries, unseenSequences: names.length > 0 ? names : ["unseen"] };
}

/** Where nmh looks for the profile: `$MH`, else `.mh_profile` in `$HOME` (or, unset, the passwd
 *  entry's home); null when there is no home at all. */
export function profilePath(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.MH) return env.MH;
  if (env.HOME) return join(env.HOME, ".mh_profile");
  try {
    return join(homedir(), ".mh_profile");
  } catch {
    return null; // (a uid without a passwd entry)
  }
}

/** Read the profile nmh would read for this process's environment. */
export function loadProfile(env: NodeJS.ProcessEnv = process.env): MhProfile {
  const path = profilePath(env);
  let text: string | null = null;
  try {
    text = path === null ? null : readFileSync(path, "utf8");
  } catch {
    text = null;
  }
  return profileFromText(text);
}
