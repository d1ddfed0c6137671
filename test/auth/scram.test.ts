// SCRAM-SHA-256's computation and message rules, server side: the full exchange of RFC 7677 §3
// (the salt there is 16 raw bytes, so its credentials are made from PBKDF2 directly), the gs2
// channel-binding flags, every way a client-final message can fail, and the credentials a
// Django pbkdf2_sha256 hash gives. Over real sockets: test/daemon/scram.test.ts.
import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { pbkdf2Sync, X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { pbkdf2Encode } from "../../src/daemon/hashers.js";
import type { Account } from "../../src/daemon/pwfile.js";
import { endPointHash } from "../../src/daemon/sasl/channel-binding.js";
import type { SaslStep } from "../../src/daemon/sasl/exchange.js";
import { ScramCredentialSource } from "../../src/daemon/sasl/scram-credentials.js";
import { clientProof, credentialsOf, credentialsOfHash, proofMatches } from "../../src/daemon/sasl/scram-keys.js";
import { ScramExchange, type ScramContext } from "../../src/daemon/sasl/scram.js";

const SALT = Buffer.from("W22ZaJ0SNY7soEsUEjb6gQ==", "base64");
const SALTED = pbkdf2Sync("pencil", SALT, 4096, 32, "sha256");
const ACCOUNT: Account = { user: "user", hash: "(not used)", maildir: "/nonexistent" };
const SERVER_NONCE = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
const CLIENT_FIRST = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
const SERVER_FIRST = `r=rOprNGfwEbeRWgbNEkqO${SERVER_NONCE},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096`;
const CLIENT_FINAL = `c=biws,r=rOprNGfwEbeRWgbNEkqO${SERVER_NONCE},p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=`;
const SERVER_FINAL = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

/** The RFC's account, judged as the login checker would (the proof's verdict, counted). */
function context(over: Partial<ScramContext> = {}): ScramContext & { judged: Array<Account | null> } {
  const judged: Array<Account | null> = [];
  return {
    plusOffered: false,
    channelBinding: () => null,
    credentials: async (user) => (user === "user" ? { credentials: credentialsOf(SALT, 4096, SALTED), account: ACCOUNT }
      : { credentials: credentialsOf(SALT, 4096, SALTED), account: null }),
    judge: async (_user, verify) => {
      const a = verify();
      judged.push(a);
      return a;
    },
    nonce: () => SERVER_NONCE,
    judged,
    ...over,
  };
}

const b = (s: string) => Buffer.from(s, "utf8");
const challenge = (step: SaslStep) => (step.kind === "challenge" ? step.data : `(${step.kind})`);

describe("the RFC 7677 exchange", () => {
  it("gives the RFC's server-first and server-final messages, then logs in on the empty response", async () => {
    const ctx = context();
    const x = new ScramExchange(false, ctx);
    expect(challenge(await x.start(b(CLIENT_FIRST)))).toBe(SERVER_FIRST);
    expect(challenge(await x.next(b(CLIENT_FINAL)))).toBe(SERVER_FINAL);
    expect(await x.next(Buffer.alloc(0))).toEqual({ kind: "authenticated", account: ACCOUNT });
    expect(ctx.judged).toEqual([ACCOUNT]);
  });

  it("the client side of our keys computes the RFC's proof", () => {
    const authMessage = `${CLIENT_FIRST.slice(3)},${SERVER_FIRST},${CLIENT_FINAL.slice(0, CLIENT_FINAL.indexOf(",p="))}`;
    const proof = clientProof(SALTED, authMessage);
    expect(proof.toString("base64")).toBe("dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
    expect(proofMatches(credentialsOf(SALT, 4096, SALTED), authMessage, proof)).toBe(true);
  });

  it("without an initial response, asks for the client-first message with an empty challenge", async () => {
    const x = new ScramExchange(false, context());
    expect(await x.start(undefined)).toEqual({ kind: "challenge", data: "" });
    expect(challenge(await x.next(b(CLIENT_FIRST)))).toBe(SERVER_FIRST);
  });

  it("data after the server-final message instead of an empty response is BAD", async () => {
    const x = new ScramExchange(false, context());
    await x.start(b(CLIENT_FIRST));
    await x.next(b(CLIENT_FINAL));
    expect(await x.next(b("x"))).toMatchObject({ kind: "refused", status: "BAD" });
  });
});

describe("client-final messages that fail as a wrong password does (judged, counted)", () => {
  const cases: Array<[string, string]> = [
    ["a wrong proof", CLIENT_FINAL.replace("p=dHzb", "p=dHzc")],
    ["a proof of another length", CLIENT_FINAL.replace(/p=.*$/, "p=AAAA")],
    ["another nonce", CLIENT_FINAL.replace("k0,", "k1,")],
    ["another gs2 header in c=", CLIENT_FINAL.replace("c=biws", "c=eSws")],
  ];
  for (const [what, final] of cases) {
    it(what, async () => {
      const ctx = context();
      const x = new ScramExchange(false, ctx);
      await x.start(b(CLIENT_FIRST));
      expect(await x.next(b(final))).toEqual({ kind: "failed", user: "user" });
      expect(ctx.judged).toEqual([null]);
    });
  }

  it("an account whose credentials are fake, even with the right proof", async () => {
    const ctx = context();
    const x = new ScramExchange(false, ctx);
    await x.start(b(CLIENT_FIRST.replace("n=user", "n=other")));
    const final = `c=biws,r=rOprNGfwEbeRWgbNEkqO${SERVER_NONCE}`;
    const auth = `n=other,r=rOprNGfwEbeRWgbNEkqO,${SERVER_FIRST},${final}`;
    expect(await x.next(b(`${final},p=${clientProof(SALTED, auth).toString("base64")}`))).toEqual({ kind: "failed", user: "other" });
    expect(ctx.judged).toEqual([null]);
  });
});

describe("malformed and refused client-first messages, answered before any credentials", () => {
  const refused = async (msg: string, plus = false, over: Partial<ScramContext> = {}) => {
    let asked = 0;
    const ctx = context({ ...over, credentials: async () => { asked++; return context().credentials("user"); } });
    const step = await new ScramExchange(plus, ctx).start(b(msg));
    expect(asked).toBe(0);
    return step;
  };
  it("syntax errors are BAD", async () => {
    for (const msg of ["", "x,,n=user,r=abc", "n,n=user,r=abc", "n,,r=abc", "n,,n=,r=abc", "n,,n=us=er,r=abc",
      "n,,n=user", "n,,n=user,r=a,b", "n,,m=ext,n=user,r=abc", "n,,n=user,r=a\u00e9"]) {
      expect(await refused(msg), msg).toMatchObject({ kind: "refused", status: "BAD" });
    }
  });
  it("gs2 flags: p with SCRAM-SHA-256, n or y with -PLUS, y where -PLUS is offered (a downgrade)", async () => {
    expect(await refused("p=tls-exporter,,n=user,r=abc")).toMatchObject({ status: "NO", code: "AUTHENTICATIONFAILED" });
    expect(await refused("n,,n=user,r=abc", true)).toMatchObject({ status: "NO" });
    expect(await refused("y,,n=user,r=abc", true)).toMatchObject({ status: "NO" });
    expect(await refused("y,,n=user,r=abc", false, { plusOffered: true })).toMatchObject({ status: "NO", text: expect.stringMatching(/downgrade/) });
  });
  it("a channel binding type we have no data for is NO", async () => {
    expect(await refused("p=tls-foo,,n=user,r=abc", true)).toMatchObject({ status: "NO" });
  });
  it("an authorization identity other than the user is NO [AUTHORIZATIONFAILED]", async () => {
    expect(await refused("n,a=admin,n=user,r=abc")).toMatchObject({ status: "NO", code: "AUTHORIZATIONFAILED" });
  });
  it("y where -PLUS is not offered, an authzid equal to the user, =2C and =3D in names go on", async () => {
    const ctx = context();
    expect(challenge(await new ScramExchange(false, ctx).start(b("y,a=user,n=user,r=abc")))).toMatch(/^r=abc/);
    const names: string[] = [];
    const x = new ScramExchange(false, context({ credentials: async (u) => { names.push(u); return context().credentials(u); } }));
    await x.start(b("n,,n=a=2Cb=3Dc,r=abc"));
    expect(names).toEqual(["a,b=c"]);
  });
});

describe("channel binding with -PLUS", () => {
  it("c= must carry the gs2 header and our channel's data", async () => {
    const data = Buffer.from("our channel");
    const gs2 = "p=tls-server-end-point,,";
    const run = async (cb: Buffer) => {
      const ctx = context({ plusOffered: true, channelBinding: (t) => (t === "tls-server-end-point" ? data : null) });
      const x = new ScramExchange(true, ctx);
      const first = challenge(await x.start(b(`${gs2}n=user,r=abc`)));
      const final = `c=${cb.toString("base64")},r=${first.slice(2, first.indexOf(","))}`;
      const proof = clientProof(SALTED, `n=user,r=abc,${first},${final}`);
      return (await x.next(b(`${final},p=${proof.toString("base64")}`))).kind;
    };
    expect(await run(Buffer.concat([b(gs2), data]))).toBe("challenge");
    expect(await run(Buffer.concat([b(gs2), b("another channel")]))).toBe("failed");
    expect(await run(b(gs2))).toBe("failed");
  });
});

describe("credentials", () => {
  it("a Django pbkdf2_sha256 hash gives the SaltedPassword of its salt's text and count", async () => {
    const hash = await pbkdf2Encode("pencil", "seasalt", 1000);
    const c = credentialsOfHash(hash)!;
    expect(c).toEqual(credentialsOf(Buffer.from("seasalt"), 1000, pbkdf2Sync("pencil", "seasalt", 1000, 32, "sha256")));
  });
  it("other hashes, and broken pbkdf2_sha256 ones, give none", () => {
    for (const h of ["pbkdf2_sha1$600000$seasalt2$2CLsaL1MZhq6JOG6QOHtVbiopHE=", "md5$seasalt$3f86d0d3d465b7b458c231bf3555c0e3",
      "pbkdf2_sha256$0$s$" + "A".repeat(43) + "=", "pbkdf2_sha256$1000$s$AAAA", "pbkdf2_sha256$1000$$" + "A".repeat(43) + "="]) {
      expect(credentialsOfHash(h), h).toBeNull();
    }
  });
  it("unknown users and other hashes get fake credentials: stable, Django-looking, unlike each other", async () => {
    const accounts = new Map<string, Account>([
      ["argon", { user: "argon", hash: "argon2$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$YC9+jJCrQhs5R6db7LlN8Q", maildir: "/m" }],
      ["real", { user: "real", hash: await pbkdf2Encode("pw", "abcdefghijklmnopqrstuv", 1_200_000), maildir: "/m" }],
    ]);
    const src = new ScramCredentialSource(async (u) => accounts.get(u));
    const [ghost, again, argon, real] = await Promise.all([src.of("ghost"), src.of("ghost"), src.of("argon"), src.of("real")]);
    expect(ghost).toEqual(again);
    expect(ghost.account).toBeNull();
    expect(argon.account).toBeNull();
    expect(real.account?.user).toBe("real");
    for (const l of [ghost, argon, real]) {
      expect(l.credentials.salt.toString()).toMatch(/^[A-Za-z0-9]{22}$/);
      expect(l.credentials.iterations).toBe(1_200_000);
    }
    expect(ghost.credentials.salt).not.toEqual(argon.credentials.salt);
    await expect(new ScramCredentialSource(async () => undefined).of("ghost")).resolves.not.toEqual(ghost);
  });
});

describe("tls-server-end-point's hash (RFC 5929 §4.1), of real certificates", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "scram-cert-"));
  const cert = (name: string, args: string[]) => {
    const file = path.join(dir, `${name}.pem`);
    execFileSync("openssl", ["req", "-x509", "-nodes", "-days", "1", "-subj", "/CN=x", "-keyout", path.join(dir, `${name}.key`),
      "-out", file, ...args], { stdio: "ignore" });
    return new X509Certificate(readFileSync(file)).raw;
  };
  it("SHA-256 for RSA with SHA-256 and SHA-1, SHA-384 and SHA-512 for those, SHA-256 for Ed25519", () => {
    expect(endPointHash(cert("rsa256", ["-newkey", "rsa:2048", "-sha256"]))).toBe("sha256");
    expect(endPointHash(cert("rsa1", ["-newkey", "rsa:2048", "-sha1"]))).toBe("sha256");
    expect(endPointHash(cert("ec384", ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384", "-sha384"]))).toBe("sha384");
    expect(endPointHash(cert("rsa512", ["-newkey", "rsa:2048", "-sha512"]))).toBe("sha512");
    expect(endPointHash(cert("ed", ["-newkey", "ed25519"]))).toBe("sha256");
  });
});
