// What nginx's mail auth_http module sends (ngx_mail_auth_http_module): the login in Auth-User
// and Auth-Pass, each escaped as a URI component (space, %, control and 8-bit bytes as %XX),
// and the client's address in Client-IP.
import type { IncomingHttpHeaders } from "node:http";

export interface NginxAuthRequest {
  method: string;
  user: string;
  password: string;
  protocol: string;
  attempt: number;
  clientIp: string | undefined;
}

const one = (h: IncomingHttpHeaders, name: string): string | undefined => {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
};

/** %XX → the byte; the bytes read as UTF-8 (nginx passes the client's bytes through). */
export function unescapeNginx(s: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    if (s[i] === "%" && /^[0-9A-Fa-f]{2}$/.test(s.slice(i + 1, i + 3))) {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(s.charCodeAt(i) & 0xff);
  }
  return Buffer.from(bytes).toString("utf8");
}

export function readNginxRequest(h: IncomingHttpHeaders): NginxAuthRequest {
  return {
    method: (one(h, "auth-method") ?? "").toLowerCase(),
    user: unescapeNginx(one(h, "auth-user") ?? ""),
    password: unescapeNginx(one(h, "auth-pass") ?? ""),
    protocol: (one(h, "auth-protocol") ?? "").toLowerCase(),
    attempt: Number(one(h, "auth-login-attempt") ?? 1) || 1,
    clientIp: one(h, "client-ip")?.trim() || undefined,
  };
}
