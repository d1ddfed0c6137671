// Our ImapData → the oracle's Val shape, to compare structurally.
import type { ImapData } from "../../src/message/index.js";
import type { Val } from "./dovecot-oracle.js";

export function norm(d: ImapData): Val {
  if (d === null) return null;
  if (typeof d === "number") return d;
  if (typeof d === "string") return Buffer.from(d, "utf8").toString("latin1");
  if (Buffer.isBuffer(d)) return d.toString("latin1");
  return d.map(norm);
}
