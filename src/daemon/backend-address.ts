// A backend as the password file's fourth field and the shard map write it: `host:port`, the
// host a name, an IPv4 address or a bracketed IPv6 address (`[fd00::2]:143`).
import { isIPv6 } from "node:net";

export interface BackendAddress {
  host: string;
  port: number;
}

/** The address, or a reason why the text is not one. */
export function parseBackend(text: string): BackendAddress | { problem: string } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+)):([0-9]{1,5})$/.exec(text.trim());
  const port = m ? Number(m[3]) : 0;
  if (!m || port < 1 || port > 65535 || (m[1] !== undefined && !isIPv6(m[1]))) {
    return { problem: `backend ${JSON.stringify(text)} is not host:port (e.g. 10.0.0.2:143, mail2:143, [fd00::2]:143)` };
  }
  return { host: m[1] ?? m[2], port };
}
