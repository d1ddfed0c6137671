// Checks a user name and password against the password file. Unknown users, unusable
// passwords and wrong passwords take the same time and give the same answer.
import type { Account, PasswordFile } from "./pwfile.js";
import { dummyVerify, isUsable, verifyPassword } from "./hashers.js";

export type AuthResult = { ok: true; account: Account } | { ok: false };

export async function authenticate(pwfile: PasswordFile, user: string,
  password: string): Promise<AuthResult> {
  const account = await pwfile.lookup(user);
  if (!account || !isUsable(account.hash)) {
    await dummyVerify(password);
    return { ok: false };
  }
  return (await verifyPassword(password, account.hash)) ? { ok: true, account } : { ok: false };
}
