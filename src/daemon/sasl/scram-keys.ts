// SCRAM-SHA-256's keys (RFC 5802 §3, RFC 7677). A Django pbkdf2_sha256 hash is
// PBKDF2-HMAC-SHA256(password, salt, iterations, 32), which is SCRAM's SaltedPassword for that
// salt and count: the server derives StoredKey and ServerKey from the hash, without the password.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";

export interface ScramCredentials {
  /** the salt's bytes as sent in `s=` (a Django salt: its UTF-8 text) */
  salt: Buffer;
  iterations: number;
  storedKey: Buffer;
  serverKey: Buffer;
}

const hmac = (key: Buffer, data: string | Buffer): Buffer => createHmac("sha256", key).update(data).digest();
const sha256 = (data: Buffer): Buffer => createHash("sha256").update(data).digest();

export const clientKeyOf = (saltedPassword: Buffer): Buffer => hmac(saltedPassword, "Client Key");

export function credentialsOf(salt: Buffer, iterations: number, saltedPassword: Buffer): ScramCredentials {
  return { salt, iterations, storedKey: sha256(clientKeyOf(saltedPassword)), serverKey: hmac(saltedPassword, "Server Key") };
}

/** The credentials of a `pbkdf2_sha256$<iterations>$<salt>$<base64 of 32 bytes>` hash; null for
 *  any other hash (those accounts cannot use SCRAM). */
export function credentialsOfHash(encoded: string): ScramCredentials | null {
  const parts = encoded.split("$");
  if (parts.length !== 4 || parts[0] !== "pbkdf2_sha256" || !/^[1-9][0-9]{0,9}$/.test(parts[1])) return null;
  const saltedPassword = Buffer.from(parts[3], "base64");
  if (saltedPassword.length !== 32 || parts[2] === "") return null;
  return credentialsOf(Buffer.from(parts[2], "utf8"), Number(parts[1]), saltedPassword);
}

/** ClientProof = ClientKey XOR HMAC(StoredKey, AuthMessage): what a client sends (our tests'). */
export function clientProof(saltedPassword: Buffer, authMessage: string): Buffer {
  const key = clientKeyOf(saltedPassword);
  return xor(key, hmac(sha256(key), authMessage));
}

/** The server's check: H(proof XOR ClientSignature) = StoredKey, in constant time. */
export function proofMatches(c: ScramCredentials, authMessage: string, proof: Buffer): boolean {
  if (proof.length !== c.storedKey.length) return false;
  return timingSafeEqual(sha256(xor(proof, hmac(c.storedKey, authMessage))), c.storedKey);
}

export const serverSignature = (c: ScramCredentials, authMessage: string): Buffer => hmac(c.serverKey, authMessage);

function xor(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] ^ b[i];
  return out;
}
