// Channel binding data of our side of a TLS connection, for SCRAM-SHA-256-PLUS:
// - tls-exporter (RFC 9266): the exporter with label "EXPORTER-Channel-Binding", no context,
//   32 bytes; TLS 1.3 only (under TLS 1.2 it is only safe with extended master secret, which
//   Node cannot tell us).
// - tls-server-end-point (RFC 5929 §4.1): the hash of our certificate, with the hash of its
//   signature algorithm, SHA-256 when that is MD5, SHA-1, or no single hash (Ed25519).
// - tls-unique (RFC 5929 §3.1), under TLS 1.2 only (RFC 9266 leaves it undefined for 1.3): the
//   first Finished message of the handshake, the client's unless the session was resumed. RFC
//   5802 §6 makes it the one type every server must have, and clients on TLS 1.2 (GNU SASL) use it.
import { createHash } from "node:crypto";
import type { TLSSocket } from "node:tls";

/** The data for `type` on this connection; null when the type is unknown or not defined here. */
export function channelBindingData(socket: TLSSocket, type: string): Buffer | null {
  if (type === "tls-exporter") {
    return socket.getProtocol() === "TLSv1.3" ? socket.exportKeyingMaterial(32, "EXPORTER-Channel-Binding", Buffer.alloc(0)) : null;
  }
  if (type === "tls-unique") {
    if (socket.getProtocol() !== "TLSv1.2") return null;
    return (socket.isSessionReused() ? socket.getFinished() : socket.getPeerFinished()) ?? null;
  }
  if (type === "tls-server-end-point") {
    const cert = socket.getCertificate();
    const der = cert && "raw" in cert ? cert.raw : null;
    return der ? createHash(endPointHash(der)).update(der).digest() : null;
  }
  return null;
}

// signatureAlgorithm OIDs (DER contents) whose hash is SHA-384 or SHA-512: RSA PKCS#1, ECDSA,
// and the hash OIDs that RSASSA-PSS parameters name.
const oids = (hex: string[]) => hex.map((h) => Buffer.from(h, "hex"));
const SHA384 = oids(["2a864886f70d01010c", "2a8648ce3d040303", "608648016503040202"]);
const SHA512 = oids(["2a864886f70d01010d", "2a8648ce3d040304", "608648016503040203"]);

/** The hash RFC 5929 names for a DER certificate: its signatureAlgorithm, the second element of
 *  the outer SEQUENCE (tbsCertificate, signatureAlgorithm, signatureValue). */
export function endPointHash(der: Buffer): "sha256" | "sha384" | "sha512" {
  const outer = element(der, 0);
  const tbs = outer && element(der, outer.start);
  const alg = tbs && element(der, tbs.end);
  if (!alg) return "sha256";
  const algorithm = der.subarray(alg.start, alg.end);
  if (SHA512.some((oid) => algorithm.includes(oid))) return "sha512";
  if (SHA384.some((oid) => algorithm.includes(oid))) return "sha384";
  return "sha256";
}

/** The DER element at `at`: where its contents start and end. */
function element(der: Buffer, at: number): { start: number; end: number } | null {
  if (at + 2 > der.length) return null;
  let len = der[at + 1];
  let start = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || start + n > der.length) return null;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + der[start + i];
    start += n;
  }
  return start + len <= der.length ? { start, end: start + len } : null;
}
