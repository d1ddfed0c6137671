// Django's own test vectors (tests/auth_tests/test_hashers.py, Django 3.2-5.x) plus vectors
// computed by Python's hashlib (an independent implementation) for the current defaults.
import { describe, expect, it } from "vitest";
import bcrypt from "bcryptjs";
import { createHash } from "node:crypto";
import {
  identify, isUsable, makePassword, makeUnusablePassword, PBKDF2_DEFAULT_ITERATIONS, verifyPassword,
} from "../../src/daemon/hashers.js";

const vectors: Array<[string, string, string]> = [
  // [algorithm, password, encoded]
  ["pbkdf2_sha256", "lètmein", "pbkdf2_sha256$260000$seasalt$YlZ2Vggtqdc61YjArZuoApoBh9JNGYoDRBUGu6tcJQo="],
  ["pbkdf2_sha256", "lètmein", "pbkdf2_sha256$600000$seasalt$OAXyhAQ/4ZDA9V5RMExt3C1OwQdUpLZ99vm1McFlLRA="],
  ["pbkdf2_sha1", "lètmein", "pbkdf2_sha1$600000$seasalt2$2CLsaL1MZhq6JOG6QOHtVbiopHE="],
  ["scrypt", "lètmein", "scrypt$16384$seasalt$8$1$Qj3+9PPyRjSJIebHnG81TMjsqtaIGxNQG/aEB/NYafTJ7tibgfYz71m0ldQESkXFRkdVCBhhY8mx7rQwite/Pw=="],
  // p=5 (Django 5.x default) needs more than Node's default 32 MiB maxmem
  ["scrypt", "lètmein", "scrypt$16384$seasalt$8$5$ECMIUp+LMxMSK8xB/IVyba+KYGTI7FTnet025q/1f/vBAVnnP3hdYqJuRi+mJn6ji6ze3Fbb7JEFPKGpuEf5vw=="],
  ["argon2", "secret", "argon2$argon2id$v=19$m=102400,t=2,p=8$Y041dExhNkljRUUy$TMa6A8fPJhCAUXRhJXCXdw"],
  ["argon2", "secret", "argon2$argon2i$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$YC9+jJCrQhs5R6db7LlN8Q"],
  ["argon2", "secret", "argon2$argon2i$m=8,t=1,p=1$c29tZXNhbHQ$gwQOXSNhxiOxPOA0+PY10P9QFO4NAYysnqRt1GSQLE55m+2GYDt9FEjPMHhP2Cuf0nOEXXMocVrsJAtNSsKyfg"],
  // openwall crypt_blowfish vector ("U*U"), in Django's bcrypt$ wrapping
  ["bcrypt", "U*U", "bcrypt$$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"],
  ["md5", "lètmein", "md5$seasalt$3f86d0d3d465b7b458c231bf3555c0e3"],
  ["sha1", "lètmein", "sha1$seasalt$cff36ea83f5706ce9aa7454e63e431fc726b2dc8"],
  ["unsalted_md5", "lètmein", "88a434c88cca4e900f7874cd98123f43"],
  ["unsalted_md5", "lètmein", "md5$$88a434c88cca4e900f7874cd98123f43"],
  ["unsalted_sha1", "lètmein", "sha1$$6d138ca3ae545631b3abd71a4f076ce759c5700b"],
];

describe("Django hash verification", () => {
  for (const [algo, pw, enc] of vectors) {
    it(`${algo}: ${enc.slice(0, 40)}…`, async () => {
      expect(identify(enc)).toBe(algo);
      expect(await verifyPassword(pw, enc)).toBe(true);
      expect(await verifyPassword(pw + "z", enc)).toBe(false);
      expect(await verifyPassword("", enc)).toBe(false);
    });
  }

  it("bcrypt_sha256 pre-hashes with hex SHA-256, so passwords longer than 72 bytes count", async () => {
    const pw = "VSK0UYV6FFQVZ0KG88DYN9WADAADZO1CTSIVDJUNZSUML6IBX7LN7ZS3R5JGB3RGZ7VI7G7DJQ9NI8BQFSRPTG6UWTTVESA5ZPUN";
    const enc = "bcrypt_sha256$" + bcrypt.hashSync(createHash("sha256").update(pw).digest("hex"), 4);
    expect(identify(enc)).toBe("bcrypt_sha256");
    expect(await verifyPassword(pw, enc)).toBe(true);
    expect(await verifyPassword(pw.slice(0, 72), enc)).toBe(false);
    // a plain bcrypt of the same password is not a bcrypt_sha256 hash
    const plain = "bcrypt_sha256$" + bcrypt.hashSync(pw, 4);
    expect(await verifyPassword(pw, plain)).toBe(false);
  });

  it("raw SHA1 without the sha1$$ prefix is not accepted (Django's rule)", async () => {
    expect(await verifyPassword("lètmein", "6d138ca3ae545631b3abd71a4f076ce759c5700b")).toBe(false);
  });

  it("unusable, unknown and malformed hashes are false, never an exception", async () => {
    for (const enc of ["!", makeUnusablePassword(), "XXX", "", "pbkdf2_sha256$abc$salt$x",
      "pbkdf2_sha256$1$salt", "scrypt$16384$s$8$1$", "argon2$garbage", "bcrypt$$2b$nonsense",
      "crypt$$ab1Hv2Lg7ltQo", "md5$$zz", "sha1$$", "nohash$1$2$3"]) {
      expect(await verifyPassword("lètmein", enc), enc).toBe(false);
    }
    expect(isUsable(makeUnusablePassword())).toBe(false);
    expect(makeUnusablePassword()).toMatch(/^![A-Za-z0-9]{40}$/);
  });
});

describe("new hashes", () => {
  it("uses pbkdf2_sha256 with Django 6.0's 1,200,000 iterations and a 22-char salt", async () => {
    expect(PBKDF2_DEFAULT_ITERATIONS).toBe(1_200_000);
    const enc = await makePassword("lètmein");
    expect(enc).toMatch(/^pbkdf2_sha256\$1200000\$[A-Za-z0-9]{22}\$[A-Za-z0-9+/]{43}=$/);
    expect(await verifyPassword("lètmein", enc)).toBe(true);
    expect(await verifyPassword("letmein", enc)).toBe(false);
  });

  it("matches Python hashlib for the default iteration count", async () => {
    // python3: base64(hashlib.pbkdf2_hmac('sha256', 'lètmein', b'seasalt', 1200000, 32))
    const enc = "pbkdf2_sha256$1200000$seasalt$6sTlFi4QohxXLuZigqDIUNX8xG9NxrTmV8+flFQdBqE=";
    expect(await verifyPassword("lètmein", enc)).toBe(true);
  });
});
