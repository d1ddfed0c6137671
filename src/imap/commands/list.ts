// LIST (RFC 3501 §6.3.8, LIST-EXTENDED 5258, LIST-STATUS 5819, SPECIAL-USE 6154, CHILDREN 3348),
// XLIST (Gmail's older form of SPECIAL-USE: LIST's answer as `* XLIST` lines, INBOX marked
// \Inbox, as Gmail and Cyrus do) and LSUB. Attributes come from the real folder tree, not from
// the names in the result.
import type { SessionContext } from "../context.js";
import type { Command } from "../../protocol/ast.js";
import type { MailboxInfo } from "../../store/contract.js";
import { ok, bad, type Result, type CommandOf } from "../result.js";
import { statusLine } from "./status.js";
import { listResponse } from "../../protocol/responses.js";

/** Reference and pattern joined as one pattern (`foo` + `*` → `foo/*`). */
export function joinPattern(reference: string, pattern: string): string {
  if (reference === "" || pattern.startsWith("/")) return pattern;
  if (pattern === "") return reference;
  return reference.endsWith("/") ? reference + pattern : reference + "/" + pattern;
}

/** A LIST pattern as a matcher: `*` matches anything, `%` anything but `/`; INBOX any case. */
export function patternMatcher(pattern: string): (name: string) => boolean {
  let p = pattern;
  if (/^inbox(?=$|[/*%])/i.test(p)) p = "INBOX" + p.slice(5);
  const re = new RegExp(
    "^" + p.split("").map((c) => (c === "*" ? ".*" : c === "%" ? "[^/]*" : c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))).join("") + "$",
    "s",
  );
  return (name) => re.test(name);
}

function ancestors(name: string): string[] {
  const parts = name.split("/");
  const out: string[] = [];
  for (let i = 1; i < parts.length; i++) out.push(parts.slice(0, i).join("/"));
  return out;
}

/** An existing mailbox's attributes as LIST shows them; \Subscribed only when asked for. */
export function listAttrs(info: MailboxInfo, withSubscribed: boolean): string[] {
  const attrs: string[] = [];
  if (info.noselect) attrs.push("\\Noselect");
  attrs.push(info.hasChildren ? "\\HasChildren" : "\\HasNoChildren");
  if (info.specialUse) attrs.push(info.specialUse);
  if (withSubscribed && info.subscribed) attrs.push("\\Subscribed");
  return attrs;
}

/** A subscribed name without a mailbox. */
function nonexistent(name: string): MailboxInfo {
  return { name, subscribed: true, specialUse: null, noselect: true, hasChildren: false };
}

function byMailboxName(a: MailboxInfo, b: MailboxInfo): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function inboxFirst(infos: MailboxInfo[]): MailboxInfo[] {
  return [...infos.filter((i) => i.name === "INBOX"), ...infos.filter((i) => i.name !== "INBOX")];
}

export async function list(s: SessionContext, cmd: CommandOf<"LIST" | "XLIST">): Promise<Result> {
  const kind = cmd.name;
  const done = ok(kind === "LIST" ? "List completed." : "Xlist completed.");
  const sel = new Set(cmd.selection);
  const subscribedSel = sel.has("SUBSCRIBED");
  const specialSel = sel.has("SPECIAL-USE");
  if (sel.has("RECURSIVEMATCH") && !subscribedSel && !specialSel) {
    return bad("RECURSIVEMATCH needs another selection option.");
  }
  if (!cmd.extended && cmd.patterns.length === 1 && cmd.patterns[0] === "") {
    await s.send(listResponse(kind, ["\\Noselect"], "/", ""));
    return done;
  }
  const matchers = cmd.patterns.filter((p) => p !== "").map((p) => patternMatcher(joinPattern(cmd.reference, p)));
  const matches = (n: string) => matchers.some((m) => m(n));
  const existing = await s.store.list();
  const byName = new Map(existing.map((i) => [i.name, i]));
  // RFC 5258 §3.1: with SUBSCRIBED, a subscription whose mailbox is gone is listed \NonExistent
  const gone = subscribedSel ? (await s.store.subscriptions()).filter((n) => !byName.has(n)) : [];
  const infos = inboxFirst([...existing, ...gone.map(nonexistent)].sort(byMailboxName));
  const listed = new Set<string>();
  const lines: Array<{ info: MailboxInfo; attrs: string[]; childInfo?: string[] }> = [];
  for (const info of infos) {
    if (!matches(info.name)) continue;
    if (subscribedSel && !info.subscribed) continue;
    if (specialSel && !info.specialUse) continue;
    const attrs: string[] = [];
    if (!byName.has(info.name)) {
      // as Dovecot: \NonExistent (it implies \Noselect), children only when asked for
      attrs.push("\\Subscribed", "\\NonExistent");
      if (cmd.returnOpts.children) attrs.push("\\HasNoChildren");
      lines.push({ info, attrs });
      listed.add(info.name);
      continue;
    }
    attrs.push(...listAttrs(info, subscribedSel || cmd.returnOpts.subscribed));
    if (kind === "XLIST" && info.name === "INBOX") attrs.push("\\Inbox");
    lines.push({ info, attrs });
    listed.add(info.name);
  }
  if (sel.has("RECURSIVEMATCH") && subscribedSel) {
    // RFC 5258 §3.5: parents that match but are not themselves selected get CHILDINFO
    for (const info of infos) {
      if (!info.subscribed || matches(info.name)) continue;
      for (const a of ancestors(info.name)) {
        const ai = byName.get(a);
        if (!ai || listed.has(a) || !matches(a)) continue;
        const attrs = [ai.noselect ? "\\Noselect" : "", ai.hasChildren ? "\\HasChildren" : "\\HasNoChildren"].filter(Boolean);
        lines.push({ info: ai, attrs, childInfo: ["SUBSCRIBED"] });
        listed.add(a);
      }
    }
  }
  for (const l of lines) {
    await s.send(listResponse(kind, l.attrs, "/", l.info.name, l.childInfo, s.utf8));
    if (cmd.returnOpts.status && !l.info.noselect && !l.childInfo) {
      await s.send(await statusLine(s, l.info.name, cmd.returnOpts.status));
    }
  }
  return done;
}

/** LSUB (RFC 3501 §6.3.9): subscribed names; a `%` that stops above one shows its parent \Noselect. */
export async function lsub(s: SessionContext, cmd: CommandOf<"LSUB">): Promise<Result> {
  if (cmd.pattern === null) return ok("Lsub completed.");
  if (cmd.pattern === "") {
    await s.send(listResponse("LSUB", ["\\Noselect"], "/", ""));
    return ok("Lsub completed.");
  }
  const matches = patternMatcher(joinPattern(cmd.reference, cmd.pattern));
  const existing = await s.store.list();
  const names = new Set(existing.map((i) => i.name));
  // a subscription outlives its mailbox (RFC 3501 §6.3.6): LSUB still shows it, as Dovecot does
  const gone = (await s.store.subscriptions()).filter((n) => !names.has(n)).map(nonexistent);
  const infos = inboxFirst([...existing, ...gone].sort(byMailboxName));
  const sent = new Set<string>();
  for (const info of infos) {
    if (!info.subscribed) continue;
    if (matches(info.name)) {
      if (sent.has(info.name)) continue;
      sent.add(info.name);
      await s.send(listResponse("LSUB", info.noselect && names.has(info.name) ? ["\\Noselect"] : [], "/", info.name, undefined, s.utf8));
    } else {
      for (const a of ancestors(info.name)) {
        if (!matches(a) || sent.has(a) || infos.some((i) => i.name === a && i.subscribed)) continue;
        sent.add(a);
        await s.send(listResponse("LSUB", ["\\Noselect"], "/", a, undefined, s.utf8));
      }
    }
  }
  return ok("Lsub completed.");
}
