// TLS 1.2+ only, modern ciphers only, on the implicit-TLS port and after STARTTLS. The client
// side is made permissive (SECLEVEL 0, TLS 1.0 allowed) so a refusal can only come from the server;
// a control server with no restrictions proves the client could have connected.
import { createServer as createTlsServer, connect, type ConnectionOptions } from "node:tls";
import { readFileSync } from "node:fs";
import { connect as netConnect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeCert, startDaemon, tempDir, writePwfile, type Daemon } from "../daemon/harness.js";

const OLD: ConnectionOptions = { minVersion: "TLSv1", maxVersion: "TLSv1.1", ciphers: "DEFAULT:@SECLEVEL=0", rejectUnauthorized: false };
// RSA key exchange (no forward secrecy) with CBC or GCM, and ECDHE with CBC/SHA-1
// (3DES, RC4 and NULL are not even built into OpenSSL 3's default provider)
const WEAK_12: ConnectionOptions[] = ["AES128-SHA", "AES256-GCM-SHA384", "AES128-GCM-SHA256", "ECDHE-RSA-AES128-SHA", "ECDHE-RSA-AES256-SHA384"]
  .map((c) => ({ maxVersion: "TLSv1.2" as const, ciphers: `${c}:@SECLEVEL=0`, rejectUnauthorized: false }));

function handshake(port: number, opts: ConnectionOptions): Promise<{ ok: boolean; protocol?: string; cipher?: string; err?: string }> {
  return new Promise((resolve) => {
    const s = connect({ host: "127.0.0.1", port, ...opts });
    s.once("secureConnect", () => {
      resolve({ ok: true, protocol: s.getProtocol() ?? undefined, cipher: s.getCipher().name });
      s.destroy();
    });
    s.once("error", (e) => resolve({ ok: false, err: e.message }));
  });
}

/** STARTTLS on the plaintext port, then the handshake with `opts`. */
function starttls(port: number, opts: ConnectionOptions): Promise<{ ok: boolean; err?: string }> {
  return new Promise((resolve) => {
    const sock = netConnect(port, "127.0.0.1");
    let buf = "";
    sock.on("data", (d: Buffer) => {
      buf += d.toString();
      if (buf.includes("* OK") && !buf.includes("s1 ")) {
        if (!buf.includes("sent")) { buf += "sent"; sock.write("s1 STARTTLS\r\n"); }
      }
      if (/s1 OK/.test(buf)) {
        sock.removeAllListeners("data");
        const t = connect({ socket: sock, ...opts });
        t.once("secureConnect", () => { resolve({ ok: true }); t.destroy(); });
        t.once("error", (e) => resolve({ ok: false, err: e.message }));
      }
    });
    sock.on("error", (e) => resolve({ ok: false, err: e.message }));
  });
}

describe("TLS versions and ciphers", () => {
  let d: Daemon;
  beforeAll(async () => {
    const dir = tempDir();
    writePwfile(dir, []);
    const { cert, key } = makeCert();
    d = await startDaemon(["--cert", cert, "--key", key, "--pwfile", `${dir}/pwfile`, "--plain-port", "0"]);
  });
  afterAll(async () => d?.stop());

  it("the permissive client can speak TLS 1.0/1.1 and weak ciphers (control: the test can fail)", async () => {
    const { cert, key } = makeCert();
    const srv = createTlsServer({ cert: readFileSync(cert), key: readFileSync(key), minVersion: "TLSv1", ciphers: "ALL:@SECLEVEL=0" }, (s) => s.end());
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
    const port = (srv.address() as { port: number }).port;
    const old = await handshake(port, OLD);
    expect(old.ok, old.err).toBe(true);
    expect(["TLSv1", "TLSv1.1"]).toContain(old.protocol);
    for (const w of WEAK_12) expect((await handshake(port, w)).ok).toBe(true);
    srv.close();
  });

  it("implicit TLS: TLS 1.0/1.1 refused, weak TLS 1.2 ciphers refused, TLS 1.2 with ECDHE+AEAD and TLS 1.3 work", async () => {
    expect((await handshake(d.port, OLD)).ok, "TLS 1.0/1.1").toBe(false);
    for (const w of WEAK_12) {
      const r = await handshake(d.port, w);
      expect(r.ok, `weak cipher accepted: ${r.cipher}`).toBe(false);
    }
    const t12 = await handshake(d.port, { maxVersion: "TLSv1.2", rejectUnauthorized: false });
    expect(t12.ok).toBe(true);
    expect(t12.cipher).toMatch(/^ECDHE-.*(GCM|CHACHA20)/);
    const t13 = await handshake(d.port, { rejectUnauthorized: false });
    expect(t13.protocol).toBe("TLSv1.3");
  });

  it("STARTTLS: the same rules", async () => {
    expect((await starttls(d.plainPort!, OLD)).ok).toBe(false);
    for (const w of WEAK_12) expect((await starttls(d.plainPort!, w)).ok).toBe(false);
    expect((await starttls(d.plainPort!, { maxVersion: "TLSv1.2", rejectUnauthorized: false })).ok).toBe(true);
  });
});
