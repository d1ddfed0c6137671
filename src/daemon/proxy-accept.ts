// What happens to a new connection before any IMAP byte: a trusted proxy's must begin with a
// PROXY header (which then names the client), anyone else's must not (a header from an address
// we do not trust is someone trying to choose the address we log and throttle). On the TLS port
// the connection is then wrapped in TLS here, with the same context STARTTLS uses.
import type { Socket } from "node:net";
import { TLSSocket, type SecureContext } from "node:tls";
import { parseProxyHeader, startsWithProxySignature, type ProxySource } from "./proxy-protocol.js";
import type { TrustedProxies } from "./trusted-proxies.js";

/** nginx and HAProxy send the header with the connection; a slow one is not a proxy. */
export const PROXY_HEADER_TIMEOUT_MS = 5_000;
/** as tls.Server's handshakeTimeout */
const TLS_HANDSHAKE_TIMEOUT_MS = 120_000;

export interface AcceptLogger {
  debug(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

/** A connection ready for IMAP: its socket (TLS or not) and who the client is. */
export interface Arrived {
  socket: Socket;
  /** from a trusted proxy */
  viaProxy: boolean;
  /** the client as the proxy's header named it; undefined = the socket's own address */
  source?: ProxySource;
}

export interface AcceptOptions {
  trusted: TrustedProxies;
  /** wrap in TLS with this context (the implicit-TLS port); null = plaintext */
  tls: SecureContext | null;
  log: AcceptLogger;
  headerTimeoutMs?: number;
}

/** Resolves null (after a log line, with the socket destroyed) when the connection is refused. */
export async function acceptConnection(socket: Socket, o: AcceptOptions): Promise<Arrived | null> {
  if (socket.remoteAddress === undefined) {
    // already reset by the peer (a health check that hangs up at once): nobody to judge or answer
    o.log.debug({}, "connection gone before it was accepted");
    socket.destroy();
    return null;
  }
  const remote = `${(socket.remoteAddress ?? "unknown").replace(/^::ffff:/, "")}:${socket.remotePort ?? 0}`;
  const refuse = (msg: string, reason?: string) => {
    o.log.warn({ remote, reason }, msg);
    socket.destroy();
    return null;
  };
  const onError = (e: Error) => o.log.debug({ remote, err: e.message }, "client socket error before IMAP");
  socket.on("error", onError);
  const viaProxy = o.trusted.trusts(socket.remoteAddress);
  let source: ProxySource | undefined;
  if (viaProxy) {
    const got = await readHeader(socket, o.headerTimeoutMs ?? PROXY_HEADER_TIMEOUT_MS);
    if ("reason" in got) return refuse("connection from a trusted proxy refused: no valid PROXY header", got.reason);
    source = got.source ?? undefined;
    if (got.rest.length) socket.unshift(got.rest);
  } else if (o.tls) {
    // a TLS client speaks first: its first bytes tell a PROXY header from a ClientHello
    const first = await firstBytes(socket, TLS_HANDSHAKE_TIMEOUT_MS);
    if (!first) return refuse("connection closed before the TLS handshake");
    if (startsWithProxySignature(first)) return refuse("PROXY header from an address not in --trusted-proxies: closed");
    socket.unshift(first);
  } else {
    // an IMAP client waits for the greeting, a proxy does not: check the first bytes when they come
    socket.prependOnceListener("data", (chunk: Buffer) => {
      if (startsWithProxySignature(chunk)) refuse("PROXY header from an address not in --trusted-proxies: closed");
    });
  }
  if (!o.tls) {
    socket.off("error", onError);
    return { socket, viaProxy, source };
  }
  const secure = await startTls(socket, o.tls);
  if ("reason" in secure) {
    o.log.debug({ remote, err: secure.reason }, "TLS handshake failed");
    socket.destroy();
    return null;
  }
  return { socket: secure.socket, viaProxy, source }; // (the error listener stays on the raw socket)
}

type Header = { source: ProxySource | null; rest: Buffer } | { reason: string };

/** Reads until a whole PROXY header is in, the bytes cannot be one, or time runs out. */
function readHeader(socket: Socket, timeoutMs: number): Promise<Header> {
  return new Promise((resolve) => {
    let got = Buffer.alloc(0);
    const done = (h: Header) => {
      clearTimeout(timer);
      socket.off("data", onData).off("close", onClose);
      socket.pause();
      resolve(h);
    };
    const onData = (chunk: Buffer) => {
      got = Buffer.concat([got, chunk]);
      const p = parseProxyHeader(got);
      if (p.kind === "invalid") done({ reason: p.reason });
      else if (p.kind === "header") done({ source: p.source, rest: got.subarray(p.length) });
    };
    const onClose = () => done({ reason: got.length ? "closed in the middle of the PROXY header" : "closed before a PROXY header" });
    const timer = setTimeout(() => done({
      reason: got.length ? `PROXY header incomplete after ${timeoutMs} ms` : `no PROXY header within ${timeoutMs} ms`,
    }), timeoutMs);
    socket.on("data", onData).on("close", onClose);
  });
}

function firstBytes(socket: Socket, timeoutMs: number): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const done = (b: Buffer | null) => {
      clearTimeout(timer);
      socket.off("data", done).off("close", onClose);
      socket.pause();
      resolve(b);
    };
    const onClose = () => done(null);
    const timer = setTimeout(onClose, timeoutMs);
    socket.on("data", done).on("close", onClose);
  });
}

function startTls(socket: Socket, secureContext: SecureContext): Promise<{ socket: TLSSocket } | { reason: string }> {
  return new Promise((resolve) => {
    const secure = new TLSSocket(socket, { isServer: true, secureContext });
    const timer = setTimeout(() => fail(new Error("TLS handshake timed out")), TLS_HANDSHAKE_TIMEOUT_MS);
    const fail = (e: Error) => {
      clearTimeout(timer);
      secure.destroy();
      resolve({ reason: e.message });
    };
    secure.once("error", fail);
    secure.once("secure", () => {
      clearTimeout(timer);
      secure.off("error", fail);
      resolve({ socket: secure });
    });
  });
}
