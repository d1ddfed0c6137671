// LOGIN (draft-murchison-sasl-login), for the clients that know no other mechanism: the server
// asks "Username:" and "Password:", the client answers each. An initial response is the user
// name, as Dovecot and Cyrus SASL take it.
import type { SaslExchange, SaslStep } from "./exchange.js";

export class LoginExchange implements SaslExchange {
  private user: string | null = null;

  start(initial: Buffer | undefined): SaslStep {
    return initial === undefined || initial.length === 0 ? { kind: "challenge", data: "Username:" } : this.next(initial);
  }

  next(response: Buffer): SaslStep {
    if (this.user === null) {
      this.user = response.toString("utf8");
      return { kind: "challenge", data: "Password:" };
    }
    return { kind: "password", user: this.user, password: response.toString("utf8") };
  }
}
