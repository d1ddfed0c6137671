// Test clients that play a proxy: they send a PROXY header (or other bytes) before IMAP.
import { connect as netConnect, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { V2_SIGNATURE } from "../../src/daemon/proxy-protocol.js";
import { Client } from "../daemon/harness.js";

export function v1(src: string, sport: number, dst = "10.0.0.1", dport = 143): Buffer {
  return Buffer.from(`PROXY ${src.includes(":") ? "TCP6" : "TCP4"} ${src} ${dst} ${sport} ${dport}\r\n`, "latin1");
}

/** A v2 PROXY (or LOCAL) header for an IPv4 client. */
export function v2(src: number[] | null, sport = 0): Buffer {
  const body = Buffer.alloc(src ? 12 : 0);
  if (src) {
    Buffer.from(src).copy(body, 0);
    Buffer.from([10, 0, 0, 1]).copy(body, 4);
    body.writeUInt16BE(sport, 8);
    body.writeUInt16BE(993, 10);
  }
  const head = Buffer.from([src ? 0x21 : 0x20, src ? 0x11 : 0x00, 0, body.length]);
  return Buffer.concat([V2_SIGNATURE, head, body]);
}

function open(port: number, host: string, localAddress: string): Promise<Socket> {
  const s = netConnect({ port, host, localAddress });
  return new Promise((res, rej) => s.once("connect", () => res(s)).once("error", rej));
}

/** Connects from `localAddress`, sends `header`, then speaks IMAP (in TLS when `tls`). */
export async function proxied(port: number, host: string, localAddress: string, header: Buffer, tls: boolean): Promise<Client> {
  const s = await open(port, host, localAddress);
  s.write(header);
  const sock = tls ? tlsConnect({ socket: s, rejectUnauthorized: false }) : s;
  if (tls) await new Promise<void>((res, rej) => sock.once("secureConnect", () => res()).once("error", rej));
  const c = new Client(sock);
  await c.waitFor((l) => l.startsWith("* OK"));
  return c;
}

/** Connects, sends `chunks` (a pause between them; then half-closes if `end`), and returns what
 *  came back until the server closed the connection (or 15 s passed: then `closed` is false). */
export async function sendAndWatch(port: number, host: string, localAddress: string, chunks: Buffer[],
  pauseMs = 0, end = false): Promise<{ data: string; closed: boolean }> {
  const s = await open(port, host, localAddress);
  let data = "";
  s.on("data", (d: Buffer) => (data += d.toString("latin1")));
  s.on("error", () => undefined);
  const closed = new Promise<boolean>((res) => {
    s.once("close", () => res(true));
    setTimeout(() => res(false), 15_000).unref();
  });
  for (const c of chunks) {
    if (s.destroyed) break;
    s.write(c);
    if (pauseMs) await new Promise((r) => setTimeout(r, pauseMs));
  }
  if (end) s.end();
  const r = { closed: await closed, data };
  s.destroy();
  return r;
}
