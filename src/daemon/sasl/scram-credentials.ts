// The SCRAM credentials a user name gets: an account whose hash is pbkdf2_sha256 gets its own
// (the stored salt and count); an unknown user, an unusable password or any other hash gets
// fake ones, made from the name with a per-process secret, so that asking again gives the same
// salt and count and nothing in the server-first message tells the cases apart. A fake salt
// looks like Django's (22 characters of [A-Za-z0-9]) with Django's current count.
import { createHmac, randomBytes } from "node:crypto";
import { isUsable, PBKDF2_DEFAULT_ITERATIONS, SALT_CHARS } from "../hashers.js";
import type { Account } from "../pwfile.js";
import { credentialsOfHash, type ScramCredentials } from "./scram-keys.js";

export interface ScramLookup {
  credentials: ScramCredentials;
  /** null: the credentials are fake, and no proof can pass */
  account: Account | null;
}

export class ScramCredentialSource {
  private readonly secret = randomBytes(32);
  constructor(private readonly lookup: (user: string) => Promise<Account | undefined>) {}

  async of(user: string): Promise<ScramLookup> {
    const account = await this.lookup(user);
    const credentials = account && isUsable(account.hash) ? credentialsOfHash(account.hash) : null;
    return credentials ? { credentials, account: account! } : { credentials: this.fake(user), account: null };
  }

  private fake(user: string): ScramCredentials {
    const mac = (what: string) => createHmac("sha256", this.secret).update(`${what}\0${user}`, "utf8").digest();
    const salt = [...mac("salt").subarray(0, 22)].map((b) => SALT_CHARS[b % SALT_CHARS.length]).join("");
    return { salt: Buffer.from(salt), iterations: PBKDF2_DEFAULT_ITERATIONS, storedKey: mac("stored"), serverKey: mac("server") };
  }
}
