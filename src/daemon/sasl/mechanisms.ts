// The SASL mechanisms AUTHENTICATE takes, in the order CAPABILITY lists them (strongest first:
// clients that take the first one they know get SCRAM). All need a private connection (TLS,
// loopback, a trusted proxy) as LOGIN does; -PLUS needs our own TLS, to bind to.
import type { TLSSocket } from "node:tls";
import { channelBindingData } from "./channel-binding.js";
import type { SaslExchange } from "./exchange.js";
import { LoginExchange } from "./login.js";
import { PlainExchange } from "./plain.js";
import { ScramExchange, type ScramContext } from "./scram.js";

export interface MechanismConnection {
  /** TLS, loopback or a trusted proxy */
  private_: boolean;
  /** our end of the connection's TLS, when we terminate it */
  tls: TLSSocket | null;
  /** SCRAM's credentials and judge for this connection */
  scram: Pick<ScramContext, "credentials" | "judge">;
}

interface Mechanism {
  name: string;
  offered(c: MechanismConnection): boolean;
  start(c: MechanismConnection): SaslExchange;
}

const plusOffered = (c: MechanismConnection) => c.private_ && c.tls !== null;

const scram = (plus: boolean) => (c: MechanismConnection) => new ScramExchange(plus, {
  ...c.scram,
  plusOffered: plusOffered(c),
  channelBinding: (type) => (c.tls ? channelBindingData(c.tls, type) : null),
});

const MECHANISMS: readonly Mechanism[] = [
  { name: "SCRAM-SHA-256-PLUS", offered: plusOffered, start: scram(true) },
  { name: "SCRAM-SHA-256", offered: (c) => c.private_, start: scram(false) },
  { name: "PLAIN", offered: (c) => c.private_, start: () => new PlainExchange() },
  { name: "LOGIN", offered: (c) => c.private_, start: () => new LoginExchange() },
];

/** The `AUTH=` names of the mechanisms offered on this connection. */
export const offeredMechanisms = (c: MechanismConnection): string[] =>
  MECHANISMS.filter((m) => m.offered(c)).map((m) => m.name);

/** The mechanism of this name (upper case), whether or not this connection offers it. */
export const mechanismNamed = (name: string): Mechanism | undefined => MECHANISMS.find((m) => m.name === name);
