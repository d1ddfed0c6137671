// One AUTHENTICATE exchange as a mechanism sees it: it is given the client's responses (base64
// already decoded, "*" already handled) and says what happens next. The pre-auth connection
// writes the challenges and answers; a mechanism never touches the socket, logs or traces, so
// no SASL string can reach them.
import type { Account } from "../pwfile.js";

export type SaslStep =
  /** `+ base64(data)`, then the client's next response */
  | { kind: "challenge"; data: string }
  /** a user name and password to check as LOGIN's are (throttle, cache, delay) */
  | { kind: "password"; user: string; password: string }
  /** verified by the mechanism itself (SCRAM): log in */
  | { kind: "authenticated"; account: Account }
  /** the answer of a wrong password (its delay has already passed) */
  | { kind: "failed"; user: string }
  /** a tagged NO or BAD for a malformed or refused exchange; no password was looked at */
  | { kind: "refused"; status: "NO" | "BAD"; text: string; code?: string };

export interface SaslExchange {
  /** The first step, with the initial response (SASL-IR) if the client sent one. */
  start(initial: Buffer | undefined): SaslStep | Promise<SaslStep>;
  /** The client's answer to the last challenge. */
  next(response: Buffer): SaslStep | Promise<SaslStep>;
}

export const bad = (text: string): SaslStep => ({ kind: "refused", status: "BAD", text });
export const no = (text: string, code: string): SaslStep => ({ kind: "refused", status: "NO", text, code });
