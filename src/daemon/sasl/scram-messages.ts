// The client's two SCRAM messages (RFC 5802 §7), read, and the server's first one, written.
// Anything the grammar does not allow is a reason, which the exchange answers with a tagged BAD.
import { decodeSaslResponse } from "./base64.js";

export type ChannelBindingFlag =
  /** the client cannot bind */
  | { flag: "n" }
  /** the client could bind but thinks the server cannot */
  | { flag: "y" }
  /** the client binds to the channel with this type */
  | { flag: "p"; type: string };

export interface ClientFirst {
  binding: ChannelBindingFlag;
  /** gs2-header, as sent: it comes back inside the final message's `c=` */
  gs2Header: string;
  authzid: string | null;
  user: string;
  nonce: string;
  /** client-first-message-bare, part of the AuthMessage */
  bare: string;
}

export interface ClientFinal {
  /** `c=` decoded: the gs2-header and the channel binding data */
  binding: Buffer;
  nonce: string;
  proof: Buffer;
  /** client-final-message-without-proof, part of the AuthMessage */
  withoutProof: string;
}

const NONCE = /^[\x21-\x2b\x2d-\x7e]+$/;
const utf8 = new TextDecoder("utf-8", { fatal: true });

function text(bytes: Buffer): string | null {
  try {
    return utf8.decode(bytes);
  } catch {
    return null;
  }
}

/** saslname: "=2C" is ",", "=3D" is "="; any other "=" (or a NUL) is invalid. */
function saslname(s: string): string | null {
  if (s === "" || s.includes("\0") || /=(?!2C|3D)/.test(s)) return null;
  return s.replace(/=2C|=3D/g, (e) => (e === "=2C" ? "," : "="));
}

export function parseClientFirst(bytes: Buffer): ClientFirst | { reason: string } {
  const msg = text(bytes);
  const head = msg === null ? null : /^(n|y|p=([A-Za-z0-9.-]+)),(?:a=([^,]*))?,/.exec(msg);
  if (msg === null || !head) return { reason: "Malformed SCRAM client-first message: no GS2 header." };
  const binding: ChannelBindingFlag = head[2] !== undefined ? { flag: "p", type: head[2] } : { flag: head[1] as "n" | "y" };
  const authzid = head[3] === undefined ? null : saslname(head[3]);
  if (head[3] !== undefined && authzid === null) return { reason: "Malformed SCRAM authorization identity." };
  const bare = msg.slice(head[0].length);
  const [n, r, ...extensions] = bare.split(",");
  if (n?.startsWith("m=")) return { reason: "SCRAM extension m= is not supported." };
  const user = n?.startsWith("n=") ? saslname(n.slice(2)) : null;
  if (user === null) return { reason: "Malformed SCRAM user name." };
  if (!r?.startsWith("r=") || !NONCE.test(r.slice(2))) return { reason: "Malformed SCRAM client nonce." };
  // (extensions we do not know are ignored, as RFC 5802 §5.1 asks, if they are attr=value)
  if (!extensions.every((e) => /^[A-Za-z]=/.test(e))) return { reason: "Malformed SCRAM extension." };
  return { binding, gs2Header: head[0], authzid, user, nonce: r.slice(2), bare };
}

export function parseClientFinal(bytes: Buffer): ClientFinal | { reason: string } {
  const msg = text(bytes);
  const attrs = msg?.split(",") ?? [];
  const [c, r] = attrs;
  const p = attrs.at(-1);
  if (msg === null || attrs.length < 3 || !c.startsWith("c=") || !r.startsWith("r=") || !p?.startsWith("p=")) {
    return { reason: "Malformed SCRAM client-final message." };
  }
  const binding = decodeSaslResponse(c.slice(2));
  const proof = decodeSaslResponse(p.slice(2));
  if (!binding || !proof || binding.length === 0 || proof.length === 0) return { reason: "Malformed SCRAM client-final message." };
  return { binding, nonce: r.slice(2), proof, withoutProof: msg.slice(0, msg.length - p.length - 1) };
}

export const serverFirst = (nonce: string, salt: Buffer, iterations: number): string =>
  `r=${nonce},s=${salt.toString("base64")},i=${iterations}`;
