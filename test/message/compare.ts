// Compare our ENVELOPE / BODYSTRUCTURE / BODY / RFC822.SIZE with Dovecot's for many messages.
import { isDeepStrictEqual } from "node:util";
import { bodyStructure, envelope, indexMessage } from "../../src/message/index.js";
import { dovecotFetch, type Val } from "./dovecot-oracle.js";
import { norm } from "./normalize.js";

export const ITEMS = ["ENVELOPE", "BODYSTRUCTURE", "BODY", "RFC822.SIZE"] as const;

export interface Difference {
  message: number;
  item: string;
  ours: Val;
  dovecot: Val;
}

export function ours(m: Buffer): Record<string, Val> {
  const ix = indexMessage(m);
  return {
    ENVELOPE: norm(envelope(ix)),
    BODYSTRUCTURE: norm(bodyStructure(ix, true)),
    BODY: norm(bodyStructure(ix, false)),
    "RFC822.SIZE": ix.size,
  };
}

export function compareWithDovecot(messages: Buffer[]): Difference[] {
  const theirs = dovecotFetch(messages, ITEMS.join(" "));
  const diffs: Difference[] = [];
  messages.forEach((m, i) => {
    const mine = ours(m);
    for (const item of ITEMS) {
      if (!isDeepStrictEqual(mine[item], theirs[i][item])) {
        diffs.push({ message: i, item, ours: mine[item], dovecot: theirs[i][item] });
      }
    }
  });
  return diffs;
}
