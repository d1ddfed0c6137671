// Django-compatible password hashes: verification of every format Django has written
// (pbkdf2_sha256/sha1, argon2 id and old i forms, bcrypt_sha256, bcrypt, scrypt, salted and
// unsalted md5/sha1) and creation of Django's current default (pbkdf2_sha256).
// Everything expensive runs on libuv's thread pool or in async chunks, so a login being
// checked never stalls the other clients of the root process.
import { createHash, pbkdf2, randomInt, scrypt, timingSafeEqual } from "node:crypto";
import { promisify } from "node:util";
import { verify as argon2Verify } from "@node-rs/argon2";
import bcrypt from "bcryptjs";

const pbkdf2Async = promisify(pbkdf2);
const scryptAsync = promisify(scrypt) as (
  pw: string | Buffer, salt: string | Buffer, keylen: number,
  opts: { N: number; r: number; p: number; maxmem: number },
) => Promise<Buffer>;

/** Django 6.0's default (django/contrib/auth/hashers.py, PBKDF2PasswordHasher.iterations). */
export const PBKDF2_DEFAULT_ITERATIONS = 1_200_000;
export const UNUSABLE_PREFIX = "!";
export const SALT_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/** Random text from [A-Za-z0-9], as Django's get_random_string. */
export function randomString(length: number): string {
  let s = "";
  for (let i = 0; i < length; i++) s += SALT_CHARS[randomInt(SALT_CHARS.length)];
  return s;
}

/** Django's salt: 22 chars of [A-Za-z0-9] ≥ 128 bits. */
export function makeSalt(): string {
  return randomString(22);
}

/** Equal-length constant-time comparison of two texts (length itself is not secret). */
export function constantTimeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a, "utf8");
  const bb = Buffer.from(b, "utf8");
  if (ab.length !== bb.length) return false;
  return timingSafeEqual(ab, bb);
}

export async function pbkdf2Encode(password: string, salt: string, iterations: number,
  digest: "sha256" | "sha1" = "sha256"): Promise<string> {
  const len = digest === "sha256" ? 32 : 20;
  const dk = await pbkdf2Async(Buffer.from(password, "utf8"), Buffer.from(salt, "utf8"), iterations, len, digest);
  return `pbkdf2_${digest}$${iterations}$${salt}$${dk.toString("base64")}`;
}

/** A new hash in Django's current default format. */
export async function makePassword(password: string,
  iterations: number = PBKDF2_DEFAULT_ITERATIONS): Promise<string> {
  if (password.includes("\n")) throw new Error("a password cannot contain a newline");
  return pbkdf2Encode(password, makeSalt(), iterations);
}

/** An unusable password, as Django's make_password(None). */
export function makeUnusablePassword(): string {
  return UNUSABLE_PREFIX + randomString(40);
}

export function isUsable(encoded: string): boolean {
  return encoded.length > 0 && !encoded.startsWith(UNUSABLE_PREFIX);
}

/** The algorithm name of an encoded hash, as Django's identify_hasher; null if unknown. */
export function identify(encoded: string): string | null {
  if (/^[0-9a-f]{32}$/i.test(encoded)) return "unsalted_md5";
  if (encoded.startsWith("md5$$") && encoded.length === 37) return "unsalted_md5";
  if (encoded.startsWith("sha1$$") && encoded.length === 46) return "unsalted_sha1";
  const algo = encoded.split("$", 1)[0];
  return KNOWN.has(algo) ? algo : null;
}
const KNOWN = new Set(["pbkdf2_sha256", "pbkdf2_sha1", "argon2", "bcrypt_sha256", "bcrypt",
  "scrypt", "md5", "sha1"]);

function posInt(s: string | undefined): number | null {
  if (s === undefined || !/^[0-9]{1,10}$/.test(s)) return null;
  const n = Number(s);
  return n > 0 ? n : null;
}

function hexDigest(algo: "md5" | "sha1", text: string): string {
  return createHash(algo).update(text, "utf8").digest("hex");
}

/**
 * True when `password` matches `encoded`. Malformed or unknown hashes are false, never an
 * exception: a broken line in the password file must not break the server.
 */
export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  try {
    return await verifyInner(password, encoded);
  } catch {
    return false;
  }
}

async function verifyInner(password: string, encoded: string): Promise<boolean> {
  if (!isUsable(encoded)) return false;
  const algo = identify(encoded);
  switch (algo) {
    case "unsalted_md5": {
      const hex = encoded.startsWith("md5$$") ? encoded.slice(5) : encoded;
      return constantTimeEqual(hexDigest("md5", password), hex.toLowerCase());
    }
    case "unsalted_sha1":
      return constantTimeEqual(hexDigest("sha1", password), encoded.slice(6).toLowerCase());
    case "md5":
    case "sha1": {
      const parts = encoded.split("$");
      if (parts.length !== 3 || parts[1] === "") return false;
      return constantTimeEqual(`${algo}$${parts[1]}$${hexDigest(algo, parts[1] + password)}`, encoded);
    }
    case "pbkdf2_sha256":
    case "pbkdf2_sha1": {
      const parts = encoded.split("$");
      const iterations = posInt(parts[1]);
      if (parts.length !== 4 || iterations === null) return false;
      const digest = algo === "pbkdf2_sha256" ? "sha256" : "sha1";
      return constantTimeEqual(await pbkdf2Encode(password, parts[2], iterations, digest), encoded);
    }
    case "scrypt": {
      // scrypt$<N>$<salt>$<r>$<p>$<b64 64-byte key>; always the N/r/p stored in the hash.
      const parts = encoded.split("$");
      const [N, r, p] = [posInt(parts[1]), posInt(parts[3]), posInt(parts[4])];
      if (parts.length !== 6 || N === null || r === null || p === null) return false;
      const want = Buffer.from(parts[5], "base64");
      if (want.length === 0) return false;
      // Node's default maxmem is 32 MiB, too small for Django's N=2^14, r=8 with p>1.
      const maxmem = 128 * N * r * 2 + 64 * 1024 * 1024;
      const dk = await scryptAsync(Buffer.from(password, "utf8"), Buffer.from(parts[2], "utf8"),
        want.length, { N, r, p, maxmem });
      return timingSafeEqual(dk, want);
    }
    case "argon2": {
      // Django stores "argon2" + the argon2-cffi PHC string ("$argon2id$v=19$m=...").
      let phc = encoded.slice("argon2".length);
      if (!phc.startsWith("$argon2")) return false;
      // Hashes from argon2 before 1.3 have no v= field; that means version 0x10, which
      // @node-rs/argon2 only honours when it is spelled out.
      const f = phc.split("$");
      if (f.length === 5 && f[2].startsWith("m=")) phc = ["", f[1], "v=16", ...f.slice(2)].join("$");
      return await argon2Verify(phc, password);
    }
    case "bcrypt_sha256": {
      // The password is first replaced by the hex SHA-256 of it (no 72-byte truncation).
      const bc = encoded.slice("bcrypt_sha256$".length);
      return await bcrypt.compare(createHash("sha256").update(password, "utf8").digest("hex"), bc);
    }
    case "bcrypt":
      return await bcrypt.compare(password, encoded.slice("bcrypt$".length));
    default:
      return false;
  }
}

/** Burns the time of a real check; used for unknown users so timing tells nothing. */
export async function dummyVerify(password: string): Promise<void> {
  await pbkdf2Encode(password, "dummysaltdummysaltdumm", PBKDF2_DEFAULT_ITERATIONS);
}
