// Checks a user name and password against the password file. Unknown users, unusable
// passwords and wrong passwords take the same time and give the same answer. A password
// verified before for the same line of the password file is found in the cache (no hash); every
// other check waits its turn at the gate (one per address and per user, a few overall).
import type { Account, PasswordFile } from "./pwfile.js";
import { dummyVerify, isUsable, verifyPassword } from "./hashers.js";
import { AuthCache } from "./auth-cache.js";
import { VerifyGate } from "./verify-gate.js";

export type AuthResult =
  | { ok: true; account: Account; cached: boolean }
  /** `against`: what the password was hashed against, the account's hash or (unknown user,
   *  unusable password) a dummy of the same cost; none when refused before any hash */
  | { ok: false; refused?: boolean; against?: "stored" | "dummy" };

export class Authenticator {
  readonly cache = new AuthCache();
  readonly gate = new VerifyGate();
  constructor(private readonly pwfile: PasswordFile) {}

  /** `allowed` is asked again once the gate lets the check run: failures meanwhile may forbid it. */
  async check(user: string, password: string, addr: string, allowed: () => boolean): Promise<AuthResult> {
    const known = await this.pwfile.lookup(user);
    if (known && isUsable(known.hash) && this.cache.has(known, password)) return { ok: true, account: known, cached: true };
    return this.gate.run(addr, user, async () => {
      if (!allowed()) return { ok: false, refused: true };
      const res = await authenticate(this.pwfile, user, password);
      if (res.ok) this.cache.put(res.account, password);
      return res;
    });
  }
}

export async function authenticate(pwfile: PasswordFile, user: string,
  password: string): Promise<AuthResult> {
  const account = await pwfile.lookup(user);
  if (!account || !isUsable(account.hash)) {
    await dummyVerify(password);
    return { ok: false, against: "dummy" };
  }
  return (await verifyPassword(password, account.hash)) ? { ok: true, account, cached: false } : { ok: false, against: "stored" };
}
