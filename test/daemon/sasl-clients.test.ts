// SASL clients we did not write against a real asimapd: GNU SASL (Debian's gsasl, its own IMAP
// client with GnuTLS) for SCRAM-SHA-256 and SCRAM-SHA-256-PLUS, binding with tls-exporter under
// TLS 1.3 and tls-unique under TLS 1.2, and for LOGIN; Python's imaplib for AUTHENTICATE LOGIN;
// and an account whose password asimapd_set_password wrote logging in with SCRAM.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { runCli, type Daemon } from "./harness.js";
import { startSaslDaemon } from "./sasl-daemon.js";

let d: Daemon;
let dir: string;
let cert: string;

beforeAll(async () => {
  ({ d, dir, cert } = await startSaslDaemon());
});
afterAll(async () => {
  await d?.stop();
});

/** gsasl's IMAP client on the plain port (STARTTLS unless told otherwise); its whole output. */
async function gsasl(mech: string, user: string, password: string, extra: string[] = []): Promise<{ ok: boolean; out: string }> {
  const args = ["--imap", "--connect", `localhost:${d.plainPort}`, "--x509-ca-file", cert, "-m", mech, "-a", user, "-p", password,
    "--verbose", ...extra];
  const p = promisify(execFile)("gsasl", args, { timeout: 60_000 });
  p.child.stdin?.end(); // no application data
  try {
    const { stdout, stderr } = await p;
    return { ok: true, out: stdout + stderr };
  } catch (e) {
    const x = e as { stdout?: string; stderr?: string };
    return { ok: false, out: `${x.stdout ?? ""}${x.stderr ?? ""}` };
  }
}

describe("GNU SASL (gsasl)", () => {
  it("SCRAM-SHA-256-PLUS over STARTTLS, TLS 1.3: binds with tls-exporter and checks our signature", async () => {
    const r = await gsasl("SCRAM-SHA-256-PLUS", "alice", "pencil", ["--starttls"]);
    expect(r.out).toContain("(TLS1.3)");
    expect(r.out).toContain(`AUTHENTICATE SCRAM-SHA-256-PLUS`);
    // the gs2 header in its client-first message: "p=tls-exporter,,"
    expect(r.out).toContain(Buffer.from("p=tls-exporter,,n=alice,").toString("base64").slice(0, 28));
    expect(r.out).toMatch(/\. OK \[CAPABILITY IMAP4rev1 [^\n]*\] AUTHENTICATE completed/);
    expect(r.out).toContain("Client authentication finished (server trusted)");
    expect(r.ok).toBe(true);
  });

  it("SCRAM-SHA-256-PLUS under TLS 1.2 binds with tls-unique", async () => {
    const r = await gsasl("SCRAM-SHA-256-PLUS", "alice", "pencil", ["--starttls", "--priority", "NORMAL:-VERS-TLS1.3"]);
    expect(r.out).toContain("(TLS1.2)");
    expect(r.out).toContain(Buffer.from("p=tls-unique,,n=alice,").toString("base64").slice(0, 28));
    expect(r.out).toContain("Client authentication finished (server trusted)");
  });

  it("SCRAM-SHA-256 without channel binding, over TLS and on loopback without it", async () => {
    for (const extra of [["--starttls", "--no-cb"], ["--no-starttls"]]) {
      const r = await gsasl("SCRAM-SHA-256", "alice", "pencil", extra);
      expect(r.out, extra.join(" ")).toContain("Client authentication finished (server trusted)");
    }
  });

  it("a wrong password, and an account whose hash is not pbkdf2_sha256, are refused", async () => {
    for (const [user, pw] of [["alice", "pencil!"], ["md5", "lètmein"]]) {
      const r = await gsasl("SCRAM-SHA-256-PLUS", user, pw, ["--starttls"]);
      expect(r.out).toContain(". NO [AUTHENTICATIONFAILED] Authentication failed.");
      expect(r.ok).toBe(false);
    }
  });

  it("LOGIN", async () => {
    const r = await gsasl("LOGIN", "md5", "lètmein", ["--starttls"]);
    expect(r.out).toMatch(/\. OK \[CAPABILITY IMAP4rev1 [^\n]*\] AUTHENTICATE completed/);
  });

  it("an account set by asimapd_set_password (Django's 1.2 million rounds) logs in with SCRAM-SHA-256-PLUS", async () => {
    const set = await runCli("set-password.js", ["--pwfile", `${dir}/pwfile`, "carol", "kor rect horse", "mail"]);
    expect(set.code).toBe(0);
    const r = await gsasl("SCRAM-SHA-256-PLUS", "carol", "kor rect horse", ["--starttls"]);
    const challenges = [...r.out.matchAll(/^\+ (\S+)$/gm)].map((m) => Buffer.from(m[1], "base64").toString());
    expect(challenges[0]).toMatch(/,i=1200000$/);
    expect(r.out).toContain("Client authentication finished (server trusted)");
  });
});

describe("Python imaplib", () => {
  it("authenticate('LOGIN') answers Username: and Password:, then selects INBOX; a None answer aborts", () => {
    const py = `
import imaplib, ssl
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
m = imaplib.IMAP4_SSL("127.0.0.1", ${d.port}, ssl_context=ctx)
assert "AUTH=LOGIN" in m.capabilities, m.capabilities
try:
    m.authenticate("LOGIN", lambda challenge: None)
    raise SystemExit("an aborted exchange was accepted")
except imaplib.IMAP4.error as e:
    print("ABORTED", e)
answers = {b"Username:": "md5", b"Password:": "lètmein"}
typ, data = m.authenticate("LOGIN", lambda challenge: answers[challenge])
assert typ == "OK", data
typ, data = m.select("INBOX"); assert typ == "OK", data
print("EXISTS", data[0].decode())
m.logout()
`;
    const out = execFileSync("python3", ["-c", py], { encoding: "utf8" });
    expect(out).toMatch(/^ABORTED .*Authentication cancelled/m);
    expect(out).toMatch(/^EXISTS \d+/m);
  });
});
