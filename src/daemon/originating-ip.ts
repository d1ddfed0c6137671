// Dovecot's proxy convention: a proxy that logs in for a client first sends
// `ID ("x-originating-ip" "<client address>" "x-originating-port" "<port>" ...)`. Honoured only
// from a trusted proxy (the caller decides); this reads the fields and checks them.
import { isIP } from "node:net";
import type { ProxySource } from "./proxy-protocol.js";

/** The client the ID parameters name, or null when they name none (or nothing usable). */
export function originatingSource(params: Array<[string, string | null]> | null): ProxySource | null {
  const get = (k: string) => params?.find(([name]) => name.toLowerCase() === k)?.[1] ?? null;
  const addr = get("x-originating-ip")?.replace(/^\[(.*)\]$/, "$1").replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, "");
  if (!addr || !isIP(addr)) return null;
  const p = get("x-originating-port");
  const port = p !== null && /^[0-9]{1,5}$/.test(p) && Number(p) <= 65535 ? Number(p) : 0;
  return { addr, port };
}
