// Started as root, a user process begins with none of root's HOME, USER, LOGNAME or MH (a spare
// does not know its owner yet; daemon/user-entry.ts leaves them out). Once it has become the
// owner it takes them from the owner's passwd entry, as login(1) does, so the MH profile read
// is the owner's: nmh reads `$MH`, else `$HOME/.mh_profile`, whose `Path` is relative to HOME.
// MH stays unset: an owner's choice of another profile lives in their shell, out of our sight.
import { userInfo } from "node:os";

/** Sets HOME, USER and LOGNAME for the uid this process runs as; the passwd entry's name and
 *  home, or an error when the uid has none (HOME then stays unset: nmh's defaults apply). */
export function takeOwnerEnv(env: NodeJS.ProcessEnv = process.env): { owner: string; home: string } | { err: string } {
  for (const k of ["HOME", "USER", "LOGNAME", "MH"]) delete env[k];
  let me: { username: string; homedir: string };
  try {
    // getpwuid(3) of the real uid (never $HOME), through NSS like nmh's own fallback
    me = userInfo();
  } catch (e) {
    return { err: (e as Error).message };
  }
  env.HOME = me.homedir;
  env.USER = env.LOGNAME = me.username;
  return { owner: me.username, home: me.homedir };
}
