// THREAD (RFC 5256 §2.2 ORDEREDSUBJECT and §2.2 REFERENCES, the algorithm given there step by
// step). Works on SortItems built from the cached index; returns a tree that `numbered`
// numbers for src/protocol to write.
import { type SortItem, compareText } from "./sort-order.js";
import type { ThreadTree } from "../../protocol/responses.js";

/** A thread node: a message (its item) or a dummy (null) with children. */
export interface ThreadNode {
  item: SortItem | null;
  children: ThreadNode[];
}

const bySent = (a: SortItem, b: SortItem) => a.sent - b.sent || a.seq - b.seq;

// ---- ORDEREDSUBJECT ------------------------------------------------------------------------

/** §2.2 ORDEREDSUBJECT: one thread per base subject, the earliest message the parent of the rest. */
export function orderedSubject(items: readonly SortItem[]): ThreadNode[] {
  const sorted = [...items].sort((a, b) => compareText(a.subjectKey, b.subjectKey) || bySent(a, b));
  const threads: ThreadNode[] = [];
  let current: ThreadNode | null = null;
  for (const it of sorted) {
    if (current && current.item!.subjectKey === it.subjectKey) {
      current.children.push({ item: it, children: [] });
    } else {
      current = { item: it, children: [] };
      threads.push(current);
    }
  }
  return threads.sort((a, b) => bySent(a.item!, b.item!));
}

// ---- REFERENCES ----------------------------------------------------------------------------

/** Whether extracting the base subject removed a reply/forward marker (RFC 5256 §2.1 notes). */
export function isReplyOrForward(subject: string): boolean {
  let s = subject.replace(/[\t\r\n ]+/g, " ").replace(/[ \t]+$/, "");
  if (/\(fwd\)$/i.test(s)) return true;
  for (;;) {
    const before = s;
    s = s.replace(/^[ \t]+/, "");
    if (LEADER.test(s)) return true;
    const blob = BLOB_ONLY.exec(s);
    if (blob && s.length > blob[0].length) s = s.slice(blob[0].length);
    if (s === before) break;
  }
  return /^\[fwd:/i.test(s) && s.endsWith("]");
}

const BLOB = "\\[[^\\[\\]]*\\][ \\t]*";
const LEADER = new RegExp(`^(?:${BLOB})*(?:re|fwd?)[ \\t]*(?:${BLOB})?:`, "i");
const BLOB_ONLY = new RegExp(`^${BLOB}`);

interface Container {
  id: string;
  item: SortItem | null;
  parent: Container | null;
  children: Container[];
}

function isAncestor(maybe: Container, of: Container): boolean {
  for (let c: Container | null = of; c; c = c.parent) if (c === maybe) return true;
  return false;
}

function unlink(c: Container): void {
  if (!c.parent) return;
  const sib = c.parent.children;
  sib.splice(sib.indexOf(c), 1);
  c.parent = null;
}

function link(parent: Container, child: Container): void {
  child.parent = parent;
  parent.children.push(child);
}

/** The date a container sorts by: its message's, or (dummy) its first child's. */
function sentOf(c: Container): SortItem | null {
  if (c.item) return c.item;
  return c.children.length ? sentOf(c.children[0]) : null;
}

function compareContainers(a: Container, b: Container): number {
  const x = sentOf(a);
  const y = sentOf(b);
  if (!x || !y) return 0;
  return bySent(x, y);
}

/** Every set of siblings sorted by sent date, the deepest first (§2.2 step 6). */
function sortDeep(c: Container): void {
  for (const k of c.children) sortDeep(k);
  c.children.sort(compareContainers);
}

const toNode = (c: Container): ThreadNode => ({ item: c.item, children: c.children.map(toNode) });

/** §2.2 REFERENCES (`refs`: Dovecot's THREAD=REFS, see below). */
export function references(items: readonly SortItem[], refs = false): ThreadNode[] {
  const byId = new Map<string, Container>();
  let unique = 0;
  const containerFor = (id: string): Container => {
    let c = byId.get(id);
    if (!c) {
      c = { id, item: null, parent: null, children: [] };
      byId.set(id, c);
    }
    return c;
  };
  // (1) link messages by Message-ID, References and In-Reply-To
  for (const it of [...items].sort((a, b) => a.seq - b.seq)) {
    let own: Container;
    const existing = it.messageId !== null ? byId.get(it.messageId) : undefined;
    if (it.messageId !== null && (!existing || existing.item === null)) own = containerFor(it.messageId);
    else own = containerFor(`\0unique-${++unique}`); // none, or a duplicate: a unique id of its own
    own.item = it;
    const refs = it.references.length ? it.references : it.inReplyTo !== null ? [it.inReplyTo] : [];
    // (1A) each reference is the parent of the next, unless it has one already or a loop
    let prev: Container | null = null;
    for (const r of refs) {
      const c = containerFor(r);
      if (prev && c !== prev && !c.parent && !isAncestor(c, prev)) link(prev, c);
      prev = c;
    }
    // (1B) the last reference is the message's parent: a parent it had is dropped first, even
    // when the new link is not made because it would close a loop
    unlink(own);
    if (prev && prev !== own && !isAncestor(own, prev)) link(prev, own);
  }
  // (2) the root set
  let roots = [...byId.values()].filter((c) => c.parent === null);
  // (3) prune dummies
  const prune = (list: Container[], atRoot: boolean): Container[] => {
    const out: Container[] = [];
    for (const c of list) {
      c.children = prune(c.children, false);
      for (const k of c.children) k.parent = c;
      if (c.item === null) {
        if (c.children.length === 0) continue;
        if (!atRoot || c.children.length === 1) {
          for (const k of c.children) k.parent = c.parent;
          out.push(...c.children);
          continue;
        }
      }
      out.push(c);
    }
    return out;
  };
  roots = prune(roots, true);
  for (const r of roots) r.parent = null;
  // (4) sort the root set by sent date (a dummy by its first child, sorted first)
  for (const r of roots) if (r.item === null) r.children.sort(compareContainers);
  roots.sort(compareContainers);
  if (refs) return refsThreads(roots);
  // (5) group the root set by base subject
  const table = new Map<string, Container>();
  const subjectOf = (c: Container): SortItem | null => (c.item ? c.item : c.children[0]?.item ?? null);
  for (const r of roots) {
    const it = subjectOf(r);
    if (!it || it.subjectKey === "") continue;
    const old = table.get(it.subjectKey);
    if (
      !old ||
      (r.item === null && old.item !== null) ||
      (old.item !== null && r.item !== null && isReplyOrForward(old.item.subject) && !isReplyOrForward(r.item.subject))
    ) table.set(it.subjectKey, r);
  }
  const merged: Container[] = [];
  for (const r of roots) {
    const it = subjectOf(r);
    const key = it && it.subjectKey !== "" ? it.subjectKey : null;
    const t = key !== null ? table.get(key) : undefined;
    if (!t || t === r) {
      merged.push(r);
      continue;
    }
    if (t.item === null && r.item === null) {
      for (const k of r.children) link(t, k);
      r.children = [];
    } else if (t.item === null) {
      link(t, r);
    } else if (r.item !== null && isReplyOrForward(r.item.subject) && !isReplyOrForward(t.item.subject)) {
      link(t, r);
    } else {
      // a new dummy takes the table message's place, both become its children
      const d: Container = { id: "", item: null, parent: null, children: [] };
      const at = merged.indexOf(t);
      if (at >= 0) merged[at] = d;
      else roots[roots.indexOf(t)] = d;
      link(d, t);
      link(d, r);
      table.set(key!, d);
    }
  }
  // (6) sort every set of siblings by sent date, the deepest first
  for (const r of merged) sortDeep(r);
  // the root set is a set of siblings too (Dovecot sorts it again after the merge)
  merged.sort(compareContainers);
  return merged.map(toNode);
}

// ---- REFS ---------------------------------------------------------------------------------

/** The newest message of a thread (by sent date, then sequence number). */
function newest(c: Container): SortItem | null {
  let best = c.item;
  for (const k of c.children) {
    const n = newest(k);
    if (n && (!best || bySent(n, best) > 0)) best = n;
  }
  return best;
}

/**
 * THREAD=REFS as Dovecot does it (draft-ietf-morg-inthread): REFERENCES' steps 1 to 4 without
 * the merging by subject (5), siblings sorted by sent date, and the threads ordered by their
 * newest message, so the thread with the latest activity comes last.
 */
function refsThreads(roots: Container[]): ThreadNode[] {
  for (const r of roots) sortDeep(r);
  const latest = new Map(roots.map((r) => [r, newest(r)]));
  roots.sort((a, b) => {
    const x = latest.get(a);
    const y = latest.get(b);
    return x && y ? bySent(x, y) : 0;
  });
  return roots.map(toNode);
}

// ---- numbering ---------------------------------------------------------------------------

/** The threads with each message as its number (seq or UID); the protocol writes them. */
export function numbered(threads: readonly ThreadNode[], num: (it: SortItem) => number): ThreadTree[] {
  const tree = (n: ThreadNode): ThreadTree => ({ num: n.item ? num(n.item) : null, children: n.children.map(tree) });
  return threads.map(tree);
}
