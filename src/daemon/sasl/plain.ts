// PLAIN (RFC 4616): authzid NUL authcid NUL password, in one response.
import { bad, no, type SaslExchange, type SaslStep } from "./exchange.js";

export class PlainExchange implements SaslExchange {
  start(initial: Buffer | undefined): SaslStep {
    return initial === undefined ? { kind: "challenge", data: "" } : this.next(initial);
  }

  next(response: Buffer): SaslStep {
    const parts = response.toString("utf8").split("\0");
    if (parts.length !== 3) return bad("Malformed PLAIN response.");
    const [authz, authc, password] = parts;
    if (authz !== "" && authz !== authc) return no("Authorization identity must be the user itself.", "AUTHORIZATIONFAILED");
    return { kind: "password", user: authc, password };
  }
}
