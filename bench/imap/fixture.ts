// The accounts both servers serve, built from the cached corpora.
import fs from "node:fs";
import { Corpus, ensureCorpus } from "./corpus.js";
import { chownCorpus, Owner, UserSpec } from "./layout.js";
import { Scale } from "./scale.js";
import { k } from "./workload-kit.js";

export interface Fixture {
  mixed: Corpus;
  bulk: Corpus;
  users: UserSpec[];
  /** The user whose 100k mailbox is reset before each cold SELECT. */
  big: UserSpec;
  /** The full-text workload's user: one folder, ftsMailbox, of scale.ftsCount messages. */
  fts: UserSpec;
  ftsMailbox: string;
  owner: Owner;
}

/** Mail belongs to "nobody": both servers refuse to serve mail as root. */
export function mailOwner(): Owner {
  const line = fs.readFileSync("/etc/passwd", "utf8").split("\n").find((l) => l.startsWith("nobody:"));
  if (!line) throw new Error("no user 'nobody' in /etc/passwd");
  const [, , uid, gid] = line.split(":");
  return { uid: Number(uid), gid: Number(gid) };
}

export function manyUserName(i: number): string {
  return `u${String(i).padStart(3, "0")}`;
}

export function buildFixture(outDir: string, scale: Scale, log: (s: string) => void): Fixture {
  const mixed = ensureCorpus(outDir, { mix: "mixed", count: scale.mixedCount, bigBytes: scale.bigBytes }, log);
  const bulk = ensureCorpus(outDir, { mix: "bulk", count: scale.bulkCount }, log);
  const owner = mailOwner();
  chownCorpus(mixed, owner);
  chownCorpus(bulk, owner);
  const small = { corpus: bulk, count: scale.smallCount };
  const big: UserSpec = { name: "big", mailboxes: { m100k: { corpus: bulk, count: scale.bulkCount } } };
  const ftsMailbox = `m${k(scale.ftsCount)}`;
  const fts: UserSpec = { name: "fts", mailboxes: { [ftsMailbox]: { corpus: bulk, count: scale.ftsCount } } };
  const users: UserSpec[] = [
    {
      name: "bench",
      mailboxes: { INBOX: { corpus: mixed, count: scale.mixedCount }, m10k: { corpus: bulk, count: scale.midCount } },
    },
    big,
    fts,
    { name: "idler", mailboxes: { INBOX: small } },
    { name: "mixer", mailboxes: { INBOX: { corpus: bulk, count: scale.mixedLoadCount } } },
  ];
  for (let i = 1; i <= scale.concurrentUsers; i++) users.push({ name: manyUserName(i), mailboxes: { INBOX: small } });
  return { mixed, bulk, users, big, fts, ftsMailbox, owner };
}
