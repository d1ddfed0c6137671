// One login attempt judged: the throttle (per user and per address), then the password against
// the password file (cache, gate, hashers), or a SCRAM proof. Shared by asimapd's pre-auth connections and by
// asimapd-auth (nginx's auth_http), which differ only in how they make the client wait.
import { Authenticator } from "./auth.js";
import type { Account, PasswordFile } from "./pwfile.js";
import { Throttle } from "./throttle.js";

export interface LoginLogger {
  debug(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export type LoginOutcome =
  | { kind: "ok"; account: Account }
  /** wrong password, unknown user or unusable password: one answer for all three */
  | { kind: "failed" }
  /** too many failures for this user or address: the password was not looked at */
  | { kind: "throttled" };

export class LoginChecker {
  readonly throttle = new Throttle();
  private readonly auth: Authenticator;
  private readonly sweeper: NodeJS.Timeout;

  constructor(readonly pw: PasswordFile, private readonly log: LoginLogger) {
    this.auth = new Authenticator(pw);
    this.sweeper = setInterval(() => this.throttle.sweep(), 60_000);
    this.sweeper.unref();
  }

  async check(user: string, password: string, addr: string): Promise<LoginOutcome> {
    if (!this.throttle.allow(user, addr)) {
      this.log.warn({ user, addr }, "login refused: too many failures");
      return { kind: "throttled" };
    }
    // the throttle comes first, the cache included: else a throttled guesser could still try
    // passwords against the cache at HMAC speed
    const res = await this.auth.check(user, password, addr, () => this.throttle.allow(user, addr));
    if (res.ok) {
      this.log.debug({ user, addr }, res.cached ? "password verified from cache" : "password verified by its hash");
      return { kind: "ok", account: res.account };
    }
    if (res.refused) {
      this.log.warn({ user, addr }, "login refused: too many failures");
      return { kind: "throttled" };
    }
    this.log.debug({ user, addr, against: res.against }, "password rejected by its hash");
    this.throttle.failed(user, addr);
    return { kind: "failed" };
  }

  /** A check that needs no password hash (a SCRAM proof, whose keys come from the stored hash):
   *  the same throttle, and a failure counts as a wrong password's. */
  checkProof(user: string, addr: string, verify: () => Account | null): LoginOutcome {
    if (!this.throttle.allow(user, addr)) {
      this.log.warn({ user, addr }, "login refused: too many failures");
      return { kind: "throttled" };
    }
    const account = verify();
    if (account) {
      this.log.debug({ user, addr }, "SCRAM proof verified");
      return { kind: "ok", account };
    }
    this.log.debug({ user, addr }, "SCRAM proof rejected");
    this.throttle.failed(user, addr);
    return { kind: "failed" };
  }

  stop(): void {
    clearInterval(this.sweeper);
  }
}
