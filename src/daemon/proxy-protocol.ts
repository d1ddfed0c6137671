// HAProxy's PROXY protocol, versions 1 (text) and 2 (binary), as nginx (`proxy_protocol on;`)
// and HAProxy (`send-proxy`, `send-proxy-v2`) send it before the first byte of the relayed
// connection. A pure parser: bytes in, the client's address (or "none given") and the header's
// length out, or why the bytes are not a header. Spec: haproxy's doc/proxy-protocol.txt.
import { isIPv4, isIPv6 } from "node:net";

export const V2_SIGNATURE = Buffer.from("0d0a0d0a000d0a515549540a", "hex");
const V1_PREFIX = Buffer.from("PROXY ", "latin1");
/** v1: "the maximum line length is 107 characters including the CRLF" */
const V1_MAX = 107;
/** v2 allows 64 KiB of addresses and TLVs; proxies send a few dozen bytes */
const V2_MAX_BODY = 4096;

export interface ProxySource {
  addr: string;
  port: number;
}

export type ProxyParse =
  | { kind: "incomplete" }
  | { kind: "invalid"; reason: string }
  /** source null: the proxy speaks for itself (v1 UNKNOWN, v2 LOCAL or an address family we
   *  are told to ignore), so the connection's own address stays */
  | { kind: "header"; length: number; version: 1 | 2; source: ProxySource | null };

/** True when `b` begins with a PROXY header's signature (either version). */
export function startsWithProxySignature(b: Buffer): boolean {
  return (b.length >= V1_PREFIX.length && b.subarray(0, V1_PREFIX.length).equals(V1_PREFIX)) ||
    (b.length >= V2_SIGNATURE.length && b.subarray(0, V2_SIGNATURE.length).equals(V2_SIGNATURE));
}

/** Parses the header at the start of `b` (all the bytes received so far). */
export function parseProxyHeader(b: Buffer): ProxyParse {
  const n = Math.min(b.length, V2_SIGNATURE.length);
  if (b.subarray(0, n).equals(V2_SIGNATURE.subarray(0, n))) {
    return b.length < V2_SIGNATURE.length ? { kind: "incomplete" } : parseV2(b);
  }
  const m = Math.min(b.length, V1_PREFIX.length);
  if (b.subarray(0, m).equals(V1_PREFIX.subarray(0, m))) return parseV1(b);
  return { kind: "invalid", reason: "not a PROXY protocol header" };
}

function parseV1(b: Buffer): ProxyParse {
  const end = b.indexOf("\r\n");
  if (end < 0) {
    return b.length >= V1_MAX ? { kind: "invalid", reason: "PROXY v1 line longer than 107 bytes" } : { kind: "incomplete" };
  }
  if (end + 2 > V1_MAX) return { kind: "invalid", reason: "PROXY v1 line longer than 107 bytes" };
  const line = b.subarray(0, end).toString("latin1");
  const f = line.split(" ");
  const length = end + 2;
  if (f[1] === "UNKNOWN") return { kind: "header", length, version: 1, source: null };
  if (f.length !== 6) return { kind: "invalid", reason: `PROXY v1 line needs 6 fields, has ${f.length}` };
  const [, proto, src, dst, sport, dport] = f;
  const isIp = proto === "TCP4" ? isIPv4 : proto === "TCP6" ? isIPv6 : null;
  if (!isIp) return { kind: "invalid", reason: `PROXY v1 protocol ${JSON.stringify(proto.slice(0, 16))} is not TCP4, TCP6 or UNKNOWN` };
  if (!isIp(src) || !isIp(dst)) return { kind: "invalid", reason: `PROXY v1 addresses are not ${proto} addresses` };
  const port = v1Port(sport);
  if (port === null || v1Port(dport) === null) return { kind: "invalid", reason: "PROXY v1 port is not a number from 0 to 65535" };
  return { kind: "header", length, version: 1, source: { addr: unmapped(src), port } };
}

function v1Port(s: string): number | null {
  return /^(0|[1-9][0-9]{0,4})$/.test(s) && Number(s) <= 65535 ? Number(s) : null;
}

function parseV2(b: Buffer): ProxyParse {
  if (b.length < 16) return { kind: "incomplete" };
  const verCmd = b[12];
  if (verCmd >> 4 !== 2) return { kind: "invalid", reason: `PROXY v2 header with version ${verCmd >> 4}` };
  const cmd = verCmd & 0x0f;
  if (cmd > 1) return { kind: "invalid", reason: `PROXY v2 command ${cmd} is neither LOCAL nor PROXY` };
  const fam = b[13];
  const bodyLen = b.readUInt16BE(14);
  if (bodyLen > V2_MAX_BODY) return { kind: "invalid", reason: `PROXY v2 header of ${bodyLen} bytes is too long` };
  const length = 16 + bodyLen;
  if (b.length < length) return { kind: "incomplete" };
  // LOCAL: a connection of the proxy's own (a health check); the addresses are to be ignored
  if (cmd === 0) return { kind: "header", length, version: 2, source: null };
  const body = b.subarray(16, length);
  switch (fam) {
    case 0x11: // TCP over IPv4
      if (bodyLen < 12) return { kind: "invalid", reason: "PROXY v2 TCP4 header shorter than its addresses" };
      return { kind: "header", length, version: 2, source: { addr: [...body.subarray(0, 4)].join("."), port: body.readUInt16BE(8) } };
    case 0x21: // TCP over IPv6
      if (bodyLen < 36) return { kind: "invalid", reason: "PROXY v2 TCP6 header shorter than its addresses" };
      return { kind: "header", length, version: 2, source: { addr: ipv6Text(body.subarray(0, 16)), port: body.readUInt16BE(32) } };
    case 0x00: // UNSPEC
    case 0x31: // unix stream socket: no address we could use
      return { kind: "header", length, version: 2, source: null };
    default:
      return { kind: "invalid", reason: `PROXY v2 address family 0x${fam.toString(16).padStart(2, "0")} is not a TCP stream` };
  }
}

/** The usual text form of 16 address bytes (an IPv4-mapped address as IPv4). */
function ipv6Text(a: Buffer): string {
  if (a.subarray(0, 10).every((x) => x === 0) && a[10] === 0xff && a[11] === 0xff) return [...a.subarray(12)].join(".");
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(a.readUInt16BE(i).toString(16));
  // (WHATWG URL serialisation compresses the longest run of zeros, as RFC 5952 says)
  return new URL(`http://[${groups.join(":")}]`).hostname.slice(1, -1);
}

function unmapped(addr: string): string {
  return addr.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, "");
}
