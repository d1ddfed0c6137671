// Lays out one user's mail for each server from the cached corpus, by hard links (seconds even
// for 100,000 messages, no extra disk): MH folders for ours, Maildir++ for Dovecot.
import fs from "node:fs";
import path from "node:path";
import { Corpus, messagePath } from "./corpus.js";

export interface MailboxContent {
  corpus: Corpus;
  /** The first `count` messages of the corpus. */
  count: number;
}

export interface UserSpec {
  name: string;
  /** Mailbox name ("INBOX" or a top-level name) → its messages. */
  mailboxes: Record<string, MailboxContent>;
}

export interface Owner {
  uid: number;
  gid: number;
}

/** Numbers 1..n with the given predicate, as nmh writes them: "1-3 7 9-12". */
export function mhRanges(nums: number[]): string {
  const out: string[] = [];
  for (let i = 0; i < nums.length; ) {
    let j = i;
    while (j + 1 < nums.length && nums[j + 1] === nums[j] + 1) j++;
    out.push(i === j ? String(nums[i]) : `${nums[i]}-${nums[j]}`);
    i = j + 1;
  }
  return out.join(" ");
}

/** MH: <home>/Mail/<folder>/1..N and .mh_sequences; INBOX is the folder "inbox". */
export function layoutMh(home: string, user: UserSpec, owner: Owner): string {
  const mail = path.join(home, "Mail");
  mkdirOwned(home, owner);
  mkdirOwned(mail, owner);
  writeOwned(path.join(home, ".mh_profile"), `Path: ${mail}\n`, owner);
  for (const [name, content] of withInbox(user)) {
    const dir = path.join(mail, name === "INBOX" ? "inbox" : name);
    mkdirOwned(dir, owner);
    if (!content) continue;
    const c = content.corpus;
    const unseen: number[] = [];
    const flagged: number[] = [];
    const replied: number[] = [];
    for (let i = 1; i <= content.count; i++) {
      fs.linkSync(messagePath(c, i), path.join(dir, String(i)));
      const f = c.flags[i - 1];
      if (!f.includes("S")) unseen.push(i);
      if (f.includes("F")) flagged.push(i);
      if (f.includes("R")) replied.push(i);
    }
    const seq = [
      unseen.length ? `unseen: ${mhRanges(unseen)}` : "",
      flagged.length ? `flagged: ${mhRanges(flagged)}` : "",
      replied.length ? `replied: ${mhRanges(replied)}` : "",
    ].filter(Boolean);
    if (seq.length) writeOwned(path.join(dir, ".mh_sequences"), seq.join("\n") + "\n", owner);
  }
  return mail;
}

/** Maildir++: <home>/Maildir/{cur,new,tmp} for INBOX, <home>/Maildir/.<name>/ for the others. */
export function layoutMaildir(home: string, user: UserSpec, owner: Owner): string {
  const root = path.join(home, "Maildir");
  mkdirOwned(home, owner);
  for (const [name, content] of withInbox(user)) {
    const dir = name === "INBOX" ? root : path.join(root, `.${name}`);
    mkdirOwned(dir, owner);
    for (const sub of ["cur", "new", "tmp"]) mkdirOwned(path.join(dir, sub), owner);
    if (name !== "INBOX") writeOwned(path.join(dir, "maildirfolder"), "", owner);
    if (!content) continue;
    const c = content.corpus;
    for (let i = 1; i <= content.count; i++) {
      // The name Dovecot itself would give: time (sorts new files into UID order), size on disk
      // (S=) and size on the wire (W=), flags after ":2,".
      const file = `${1_500_000_000 + i}.M${i}P1.bench,S=${c.sizes[i - 1]},W=${c.crlfSizes[i - 1]}:2,${c.flags[i - 1]}`;
      fs.linkSync(messagePath(c, i), path.join(dir, "cur", file));
    }
  }
  const subs = Object.keys(user.mailboxes).filter((n) => n !== "INBOX");
  writeOwned(path.join(root, "subscriptions"), subs.map((s) => `${s}\n`).join(""), owner);
  return root;
}

/** Every mailbox of the user, INBOX always (empty when the spec has none). */
function withInbox(user: UserSpec): Array<[string, MailboxContent | undefined]> {
  const boxes: Array<[string, MailboxContent | undefined]> = Object.entries(user.mailboxes);
  if (!user.mailboxes.INBOX) boxes.unshift(["INBOX", undefined]);
  return boxes;
}

/** The cached files are shared by every hard link, so they must belong to the mail owner. */
export function chownCorpus(c: Corpus, owner: Owner): void {
  const first = fs.statSync(messagePath(c, 1));
  if (first.uid === owner.uid && first.gid === owner.gid) return;
  for (let i = 1; i <= c.count; i++) fs.chownSync(messagePath(c, i), owner.uid, owner.gid);
}

function mkdirOwned(dir: string, owner: Owner): void {
  // Parents (the run's "home" directory) stay root's but must let the mail owner through.
  fs.mkdirSync(path.dirname(dir), { recursive: true, mode: 0o755 });
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chownSync(dir, owner.uid, owner.gid);
}

function writeOwned(file: string, text: string, owner: Owner): void {
  fs.writeFileSync(file, text, { mode: 0o600 });
  fs.chownSync(file, owner.uid, owner.gid);
}
