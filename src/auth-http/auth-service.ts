// asimapd-auth's answer to one nginx auth_http request: the login judged as asimapd judges it
// (login-check.ts: same password file, hashers, cache and throttle, the throttle keyed by the
// client's address nginx reports), then the user's backend from the shard map or the password
// file, if it takes connections. Failures tell nginx to wait (Auth-Wait) before the client may
// try again, instead of holding the request as asimapd holds a failed LOGIN.
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { parseBackend } from "../daemon/backend-address.js";
import { AUTH_FAILED, MAIL_UNAVAILABLE } from "../daemon/login-answers.js";
import { LoginChecker, type LoginLogger } from "../daemon/login-check.js";
import { PasswordFile, type Account } from "../daemon/pwfile.js";
import { BackendProbe } from "./backend-probe.js";
import type { NginxAuthRequest } from "./nginx-request.js";
import { ShardMapFile } from "./shard-map.js";

export interface AuthServiceLogger extends LoginLogger {
  info(obj: object, msg?: string): void;
}

export interface AuthServiceOptions {
  pwfile: string;
  shardMap?: string;
  log: AuthServiceLogger;
  /** Auth-Wait after a failed login, seconds (nginx takes whole seconds; at least 1, since
   *  without Auth-Wait nginx closes the client's connection) */
  failWaitS: number;
  /** Auth-Wait after a throttled one */
  throttleWaitS: number;
}

export type NginxAnswer = Record<string, string>;

// nginx writes `<tag> NO <Auth-Status>` to an IMAP client: the codes go in the text
const FAILED = `[AUTHENTICATIONFAILED] ${AUTH_FAILED}`;
const UNAVAILABLE = `[UNAVAILABLE] ${MAIL_UNAVAILABLE}`;

export class AuthService {
  readonly logins: LoginChecker;
  private readonly shards?: ShardMapFile;
  private readonly probe = new BackendProbe();

  constructor(private readonly o: AuthServiceOptions) {
    const pw = new PasswordFile(o.pwfile, (p) => o.log.warn({ pwfile: o.pwfile, ...p }, "bad line in password file"));
    this.logins = new LoginChecker(pw, o.log);
    if (o.shardMap) this.shards = new ShardMapFile(o.shardMap, (p) => o.log.warn({ shardMap: o.shardMap, ...p }, "bad line in shard map"));
  }

  /** Reads both files once, so a missing one stops the start with a clear error. */
  async load(): Promise<void> {
    await this.logins.pw.load();
    await this.shards?.load();
  }

  async answer(r: NginxAuthRequest, peer: string): Promise<NginxAnswer> {
    const client = r.clientIp && isIP(r.clientIp) ? r.clientIp : peer;
    const at = { user: r.user, client, attempt: r.attempt };
    if (r.protocol !== "imap") {
      this.o.log.warn({ ...at, protocol: r.protocol }, "auth request for a protocol other than IMAP");
      return { "Auth-Status": "Only IMAP is served here" };
    }
    if (r.method !== "plain" && r.method !== "login") {
      this.o.log.warn({ ...at, method: r.method }, "auth request with an unsupported method");
      return { "Auth-Status": "Unsupported authentication method", "Auth-Wait": String(this.o.failWaitS) };
    }
    const res = await this.logins.check(r.user, r.password, client);
    if (res.kind !== "ok") {
      this.o.log.info(at, "login failed");
      return { "Auth-Status": FAILED, "Auth-Wait": String(res.kind === "throttled" ? this.o.throttleWaitS : this.o.failWaitS) };
    }
    const backend = await this.backendOf(res.account);
    if ("problem" in backend) {
      this.o.log.warn({ ...at, err: backend.problem }, "no backend for the user");
      return { "Auth-Status": UNAVAILABLE, "Auth-Wait": String(this.o.failWaitS) };
    }
    const down = await this.probe.check(backend.ip, backend.port);
    if (down) {
      this.o.log.warn({ ...at, backend: `${backend.ip}:${backend.port}`, err: down }, "the user's backend is down");
      return { "Auth-Status": UNAVAILABLE, "Auth-Wait": String(this.o.failWaitS) };
    }
    this.o.log.info({ ...at, backend: `${backend.ip}:${backend.port}` }, "login sent to its backend");
    return { "Auth-Status": "OK", "Auth-Server": backend.ip, "Auth-Port": String(backend.port) };
  }

  /** The shard map's line for the user, else the password file's fourth field, else the map's
   *  `*`; a name is resolved here, as nginx wants an address. */
  private async backendOf(account: Account): Promise<{ ip: string; port: number } | { problem: string }> {
    const map = await this.shards?.load();
    const text = map?.users.get(account.user) ?? account.backend ?? map?.fallback;
    if (!text) return { problem: "neither the shard map nor the password file names one" };
    const b = parseBackend(text);
    if ("problem" in b) return b;
    if (isIP(b.host)) return { ip: b.host, port: b.port };
    try {
      return { ip: (await lookup(b.host)).address, port: b.port };
    } catch (e) {
      return { problem: `cannot resolve ${b.host}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` };
    }
  }

  stop(): void {
    this.logins.stop();
  }
}
