// SCRAM-SHA-256 and SCRAM-SHA-256-PLUS (RFC 5802, RFC 7677), server side, as an exchange:
// client-first → server-first (salt, count, nonce) → client-final (channel binding, proof) →
// server-final (`v=`, the server's signature) → the client's empty response → logged in.
// The proof is judged under the login throttle, so a wrong one counts and waits as a wrong
// password; an account that cannot do SCRAM (fake credentials) fails the same way, at the end.
import { randomBytes } from "node:crypto";
import type { Account } from "../pwfile.js";
import { bad, no, type SaslExchange, type SaslStep } from "./exchange.js";
import type { ScramLookup } from "./scram-credentials.js";
import { proofMatches, serverSignature } from "./scram-keys.js";
import { parseClientFinal, parseClientFirst, serverFirst, type ClientFirst } from "./scram-messages.js";

export interface ScramContext {
  /** SCRAM-SHA-256-PLUS is offered on this connection (a client saying "y" is then refused) */
  plusOffered: boolean;
  /** our channel binding data of a type; null when the type is not supported here */
  channelBinding(type: string): Buffer | null;
  credentials(user: string): Promise<ScramLookup>;
  /** runs the proof's check under the throttle; null after a failure's delay */
  judge(user: string, verify: () => Account | null): Promise<Account | null>;
  /** the server's part of the nonce (default: 18 random bytes in base64) */
  nonce?: () => string;
}

const FAILED = "AUTHENTICATIONFAILED";

export class ScramExchange implements SaslExchange {
  private first: (ClientFirst & { lookup: ScramLookup; serverFirst: string; cbData: Buffer; nonce: string }) | null = null;
  private account: Account | null = null;

  /** @param plus the mechanism is SCRAM-SHA-256-PLUS */
  constructor(private readonly plus: boolean, private readonly ctx: ScramContext) {}

  start(initial: Buffer | undefined): SaslStep | Promise<SaslStep> {
    return initial === undefined ? { kind: "challenge", data: "" } : this.clientFirst(initial);
  }

  next(response: Buffer): SaslStep | Promise<SaslStep> {
    if (this.account) {
      return response.length === 0 ? { kind: "authenticated", account: this.account }
        : bad("Unexpected data after SCRAM's server-final message.");
    }
    return this.first ? this.clientFinal(response) : this.clientFirst(response);
  }

  private async clientFirst(bytes: Buffer): Promise<SaslStep> {
    const m = parseClientFirst(bytes);
    if ("reason" in m) return bad(m.reason);
    const b = m.binding;
    if (this.plus && b.flag !== "p") return no("SCRAM-SHA-256-PLUS needs channel binding (gs2 flag p).", FAILED);
    if (!this.plus && b.flag === "p") return no("Channel binding needs SCRAM-SHA-256-PLUS.", FAILED);
    if (b.flag === "y" && this.ctx.plusOffered) {
      // RFC 5802 §6: the client thinks we cannot bind, but we offered -PLUS: a downgrade
      return no("Channel binding is offered here (SCRAM-SHA-256-PLUS): refusing a possible downgrade.", FAILED);
    }
    const cbData = b.flag === "p" ? this.ctx.channelBinding(b.type) : Buffer.alloc(0);
    if (!cbData) return no("This channel binding type is not supported here (tls-exporter under TLS 1.3, tls-unique under TLS 1.2, " +
      "tls-server-end-point).", FAILED);
    if (m.authzid !== null && m.authzid !== m.user) {
      return no("Authorization identity must be the user itself.", "AUTHORIZATIONFAILED");
    }
    const lookup = await this.ctx.credentials(m.user);
    const nonce = m.nonce + (this.ctx.nonce?.() ?? randomBytes(18).toString("base64"));
    const first = serverFirst(nonce, lookup.credentials.salt, lookup.credentials.iterations);
    this.first = { ...m, lookup, serverFirst: first, cbData, nonce };
    return { kind: "challenge", data: first };
  }

  private async clientFinal(bytes: Buffer): Promise<SaslStep> {
    const f = this.first!;
    const m = parseClientFinal(bytes);
    if ("reason" in m) return bad(m.reason);
    const authMessage = `${f.bare},${f.serverFirst},${m.withoutProof}`;
    const { credentials, account } = f.lookup;
    const binds = m.binding.equals(Buffer.concat([Buffer.from(f.gs2Header, "utf8"), f.cbData]));
    const verify = () => {
      // every check is made, whatever the first one said: the time taken tells nothing
      const proofOk = proofMatches(credentials, authMessage, m.proof);
      return proofOk && binds && m.nonce === f.nonce ? account : null;
    };
    this.account = await this.ctx.judge(f.user, verify);
    if (!this.account) return { kind: "failed", user: f.user };
    return { kind: "challenge", data: `v=${serverSignature(credentials, authMessage).toString("base64")}` };
  }
}
