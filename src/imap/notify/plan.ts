// NOTIFY SET's event groups (RFC 5465 §3.1, §6) checked and turned into a plan: what the
// selected mailbox pushes, and which events each other mailbox name is watched for. Pure: no
// store, no wire; the notifier (notifier.ts) applies the plan to the user's folders.
import type { FetchAtt, NotifyFilter, NotifyGroup, StatusItem } from "../../protocol/ast.js";
import type { MailboxInfo } from "../../store/contract.js";
import { normaliseMailbox } from "../mailbox-argument.js";
import { bad, no, type Result } from "../result.js";

export type MessageEventName = "MessageNew" | "MessageExpunge" | "FlagChange";
export type MailboxEventName = "MailboxName" | "SubscriptionChange" | "MailboxMetadataChange" | "ServerMetadataChange";
export type EventName = MessageEventName | MailboxEventName;

const MESSAGE_EVENTS: readonly string[] = ["MessageNew", "MessageExpunge", "FlagChange"];
/** what BADEVENT lists (RFC 5465 §3.1: every event the server supports) */
export const SUPPORTED_EVENTS: readonly EventName[] = [
  "MessageNew", "MessageExpunge", "FlagChange", "MailboxName", "SubscriptionChange", "MailboxMetadataChange",
  "ServerMetadataChange",
];

export interface SelectedPlan {
  /** SELECTED-DELAYED: EXPUNGE waits for a command that allows it (RFC 5465 §6.1.2) */
  delayed: boolean;
  events: ReadonlySet<MessageEventName>;
  /** MessageNew's fetch-atts: sent for each new message after its EXISTS */
  fetchAtts: readonly FetchAtt[];
}

type OtherFilter = Exclude<NotifyFilter, { kind: "SELECTED" | "SELECTED-DELAYED" }>;

export interface OtherGroup {
  filter: OtherFilter;
  events: ReadonlySet<EventName>;
}

export interface NotifyPlan {
  /** SET STATUS: a STATUS for each mailbox watched for message events, before the OK */
  status: boolean;
  /** null: no message events for the selected mailbox between commands */
  selected: SelectedPlan | null;
  others: readonly OtherGroup[];
}

/** The plan, or the tagged NO/BAD that refuses the command. */
export function makePlan(set: { status: boolean; groups: NotifyGroup[] }): { plan: NotifyPlan } | { refused: Result } {
  const r = checkedPlan(set);
  return "text" in r ? { refused: r } : { plan: r };
}

function checkedPlan(set: { status: boolean; groups: NotifyGroup[] }): NotifyPlan | Result {
  let selected: SelectedPlan | null = null;
  const others: OtherGroup[] = [];
  const unknown = set.groups.flatMap((g) => g.events.map((e) => e.name))
    .filter((n) => !(SUPPORTED_EVENTS as readonly string[]).includes(n));
  if (unknown.length) {
    return no(`Unsupported NOTIFY event: ${[...new Set(unknown)].join(" ")}`, `BADEVENT (${SUPPORTED_EVENTS.join(" ")})`);
  }
  for (const g of set.groups) {
    const names = g.events.map((e) => e.name as EventName);
    const withAtts = g.events.find((e) => e.fetchAtts);
    if (g.filter.kind === "SELECTED" || g.filter.kind === "SELECTED-DELAYED") {
      if (selected) return bad("Only one of SELECTED and SELECTED-DELAYED may be given (RFC 5465 §6.1).");
      const other = names.find((n) => !MESSAGE_EVENTS.includes(n));
      if (other) return bad(`${other} is not a message event; SELECTED takes only message events (RFC 5465 §6.1).`);
      // a BODY[] (not PEEK) sets \Seen as FETCH does, as in Dovecot (§5.2: the client SHOULD NOT)
      const atts = withAtts?.fetchAtts ?? [];
      selected = { delayed: g.filter.kind === "SELECTED-DELAYED", events: new Set(names as MessageEventName[]), fetchAtts: atts };
      continue;
    }
    if (withAtts) return bad("MessageNew's fetch attributes are only for SELECTED or SELECTED-DELAYED (RFC 5465 §8).");
    const filter = g.filter.kind === "SUBTREE" || g.filter.kind === "MAILBOXES"
      ? { kind: g.filter.kind, mailboxes: g.filter.mailboxes.map(normaliseMailbox) }
      : g.filter;
    others.push({ filter, events: new Set(names) });
  }
  // An empty SELECTED group is SELECTED NONE
  if (selected && selected.events.size === 0) selected = null;
  return { status: set.status, selected, others };
}

/** Whether a group's filter covers `name` (MAILBOXES: exact, no wildcards, RFC 5465 §6.6). */
export function covers(filter: OtherFilter, name: string, subscribed: ReadonlySet<string>): boolean {
  switch (filter.kind) {
    // INBOXES: an MH user's mail can be filed into any folder (slocal, procmail, refile),
    // so which folders receive mail is not known: treated as PERSONAL, as §6.3 asks
    case "PERSONAL":
    case "INBOXES":
      return true;
    case "SUBSCRIBED":
      return subscribed.has(name);
    case "SUBTREE":
      return filter.mailboxes.some((m) => name === m || name.startsWith(m + "/"));
    case "MAILBOXES":
      return filter.mailboxes.includes(name);
    default:
      return false;
  }
}

/** The events the plan's groups ask for `name` (every group that covers it counts, §6). */
export function eventsFor(plan: NotifyPlan, name: string, subscribed: ReadonlySet<string>): Set<EventName> {
  const out = new Set<EventName>();
  for (const g of plan.others) {
    if (covers(g.filter, name, subscribed)) for (const e of g.events) out.add(e);
  }
  return out;
}

/** Whether a change of `mailbox`'s annotations (null: the server's) is told (RFC 5465 §5.6, §5.7:
 *  ServerMetadataChange in any group, the server belonging to no mailbox filter). */
export function wantsAnnotation(plan: NotifyPlan, mailbox: string | null, subscribed: ReadonlySet<string>): boolean {
  if (mailbox === null) return plan.others.some((g) => g.events.has("ServerMetadataChange"));
  return eventsFor(plan, mailbox, subscribed).has("MailboxMetadataChange");
}

/** Selectable mailboxes watched for message events, each with its message events. */
export function watchedMailboxes(
  plan: NotifyPlan, infos: readonly MailboxInfo[], subscribed: ReadonlySet<string>,
): Map<string, Set<MessageEventName>> {
  const out = new Map<string, Set<MessageEventName>>();
  for (const info of infos) {
    if (info.noselect) continue;
    const ev = [...eventsFor(plan, info.name, subscribed)].filter((e): e is MessageEventName => MESSAGE_EVENTS.includes(e));
    if (ev.length) out.set(info.name, new Set(ev));
  }
  return out;
}

/**
 * Whether the folder names must be followed: for MailboxName and SubscriptionChange, and also
 * for message events, since a folder created under PERSONAL or SUBTREE joins the watched set
 * and SUBSCRIBED is re-evaluated when the subscriptions change (§6.4).
 */
export function wantsNames(plan: NotifyPlan): boolean {
  return plan.others.some((g) => g.events.size > 0);
}

/**
 * STATUS items before NOTIFY's OK (§3.1 names the least: MESSAGES for MessageExpunge, UIDNEXT
 * and UIDVALIDITY too for MessageNew, UIDVALIDITY and HIGHESTMODSEQ for FlagChange). As Dovecot,
 * every watched mailbox gets the same full picture, so the client can tell later changes.
 */
export function initialItems(events: ReadonlySet<MessageEventName>, condstore: boolean): StatusItem[] {
  const items: StatusItem[] = ["MESSAGES", "UIDNEXT", "UIDVALIDITY", "UNSEEN"];
  if (events.has("FlagChange") || condstore) items.push("HIGHESTMODSEQ");
  return items;
}

/**
 * STATUS items when a watched mailbox changes (§5.1-5.3): MESSAGES UIDNEXT UIDVALIDITY for new
 * or expunged mail, UIDVALIDITY and UNSEEN for flag changes, HIGHESTMODSEQ under CONDSTORE.
 */
export function changeItems(events: ReadonlySet<MessageEventName>, condstore: boolean): StatusItem[] {
  const items: StatusItem[] = [];
  if (events.has("MessageNew") || events.has("MessageExpunge")) items.push("MESSAGES", "UIDNEXT");
  if (events.size > 0) items.push("UIDVALIDITY");
  if (events.has("FlagChange")) items.push("UNSEEN");
  if (condstore) items.push("HIGHESTMODSEQ");
  return items;
}
