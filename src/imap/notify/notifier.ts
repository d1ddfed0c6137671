// One session's NOTIFY (RFC 5465): the plan in effect, the mailboxes it watches and what is
// still to be told. Watched folders are followed with the store's light listener (fs.watch, a
// look every 30 s) and folder names with the store's name watch, so nmh's and other sessions'
// changes arrive without a command. What it has to say goes out through the session's `push`,
// which never writes in the middle of a command's output; at a command's end the session calls
// `deliver` itself, before the tagged response.
import type { Command, FetchAtt, StatusItem } from "../../protocol/ast.js";
import { listResponse, metadataChangeResponse, renamedListResponse, untaggedStatus } from "../../protocol/responses.js";
import {
  StoreError, type AnnotationChange, type MailboxEvent, type MailboxInfo, type NameChange,
} from "../../store/contract.js";
import type { NotifyControl, SessionContext } from "../context.js";
import { selectedContext } from "../context.js";
import { fetch } from "../commands/fetch.js";
import { listAttrs } from "../commands/list.js";
import { statusLine } from "../commands/status.js";
import { normaliseMailbox } from "../mailbox-argument.js";
import { no, type Result } from "../result.js";
import type { MailboxView } from "../view.js";
import {
  changeItems, eventsFor, initialItems, wantsAnnotation, wantsNames, watchedMailboxes, type MessageEventName,
  type NotifyPlan,
  type SelectedPlan,
} from "./plan.js";

/** What the notifier needs of its session. */
export interface NotifyHost {
  readonly ctx: SessionContext;
  /** Runs `fn` once no command is running (never inside one's output). */
  push(fn: () => Promise<void>): void;
}

interface Watched {
  events: Set<MessageEventName>;
  stop: () => void;
}

const EVENT_OF: Record<Exclude<MailboxEvent["kind"], "gone">, MessageEventName> = {
  added: "MessageNew", expunged: "MessageExpunge", flags: "FlagChange",
};

/** Commands whose own name changes this session is not told of (RFC 5465 §5: SHOULD omit). */
function ownNames(cmd: Command): string[] {
  switch (cmd.name) {
    case "CREATE": case "DELETE": case "SUBSCRIBE": case "UNSUBSCRIBE":
      return [cmd.mailbox];
    case "RENAME":
      return [cmd.from, cmd.to];
    default:
      return [];
  }
}

function parentOf(name: string): string | null {
  const i = name.lastIndexOf("/");
  return i > 0 ? name.slice(0, i) : null;
}

export class Notifier implements NotifyControl {
  private plan: NotifyPlan | null = null;
  private readonly watched = new Map<string, Watched>();
  /** the STATUS line each watched mailbox was last described by (a repeat is not sent) */
  private readonly lastSent = new Map<string, string>();
  private readonly dirty = new Set<string>();
  private readonly pendingNames: NameChange[] = [];
  private readonly queued: string[] = [];
  private subscribed = new Set<string>();
  private stopNames: (() => void) | null = null;
  private stopAnnotations: (() => void) | null = null;
  private own: Set<string> | null = null;
  private resolving = false;
  private resolveAgain = false;

  constructor(private readonly host: NotifyHost, private readonly limit: number) {}

  /** The plan for the selected mailbox, null when it pushes nothing between commands. */
  get selected(): SelectedPlan | null {
    return this.plan?.selected ?? null;
  }

  private get ctx(): SessionContext {
    return this.host.ctx;
  }

  /** NOTIFY SET: the new plan replaces the old one unless it is refused (then the old stays). */
  async set(plan: NotifyPlan): Promise<Result | null> {
    const store = this.ctx.store;
    const subscribed = new Set(await store.subscriptions());
    const want = watchedMailboxes(plan, await store.list(), subscribed);
    if (want.size > this.limit) return this.overflowNo(want.size);
    this.clear();
    this.plan = plan;
    this.subscribed = subscribed;
    if (wantsNames(plan)) this.stopNames = store.watchNames((ev) => this.onName(ev));
    this.stopAnnotations = store.watchAnnotations((ev) => this.onAnnotation(ev));
    await this.follow(want, plan);
    if (plan.status) {
      const lines: string[] = [];
      for (const [name, w] of this.watched) {
        if (name === this.selectedName()) continue;
        const line = await this.statusOf(name, initialItems(w.events, this.ctx.condstore));
        if (line) lines.push(line);
      }
      await this.ctx.sendLines(lines);
    }
    return null;
  }

  /** NOTIFY NONE (and the session's end): nothing is watched any more. */
  clear(): void {
    this.plan = null;
    for (const w of this.watched.values()) w.stop();
    this.watched.clear();
    this.lastSent.clear();
    this.dirty.clear();
    this.pendingNames.length = 0;
    this.queued.length = 0;
    this.stopNames?.();
    this.stopNames = null;
    this.stopAnnotations?.();
    this.stopAnnotations = null;
  }

  /** The command this session is running (null: none), whose own name changes are not told. */
  ownCommand(cmd: Command | null): void {
    const names = cmd ? ownNames(cmd) : [];
    this.own = names.length ? new Set(names.map((n) => normaliseMailbox(n).replace(/\/+$/, ""))) : null;
  }

  /** Sends what is to be told about other mailboxes: STATUS for changed ones, LIST for names. */
  async deliver(): Promise<void> {
    const lines: string[] = [];
    const selected = this.selectedName();
    for (const name of [...this.dirty]) {
      this.dirty.delete(name);
      const w = this.watched.get(name);
      // the selected mailbox's message events are SELECTED's (RFC 5465 §3.1)
      if (!w || name === selected) continue;
      const line = await this.statusOf(name, changeItems(w.events, this.ctx.condstore));
      if (!line || this.lastSent.get(name) === line) continue;
      this.lastSent.set(name, line);
      lines.push(line);
    }
    lines.push(...this.queued.splice(0));
    if (lines.length) await this.ctx.sendLines(lines);
  }

  /** After EXISTS: MessageNew's fetch-atts for the messages above `before` (not for the
   *  session's own APPEND, COPY or MOVE, RFC 5465 §5.2). */
  async newMessages(view: MailboxView, before: number, cmd: Command["name"] | null): Promise<void> {
    const atts: readonly FetchAtt[] = this.selected?.events.has("MessageNew") ? this.selected.fetchAtts : [];
    if (atts.length === 0 || cmd === "APPEND" || cmd === "COPY" || cmd === "MOVE") return;
    const n = view.exists;
    let first = n;
    while (first > 0 && view.uidAt(first) > before) first--;
    if (first === n) return;
    await fetch(selectedContext(this.ctx, view), {
      name: "FETCH", tag: "*", uid: false, vanished: false, atts: [...atts],
      set: { kind: "set", ranges: [{ start: first + 1, end: n }] },
    });
  }

  // ---- events ------------------------------------------------------------------------------

  private onMessage(name: string, ev: MailboxEvent): void {
    if (ev.kind === "gone") {
      this.watched.get(name)?.stop();
      this.watched.delete(name);
      this.resolve();
      return;
    }
    const w = this.watched.get(name);
    if (!w || !w.events.has(EVENT_OF[ev.kind])) return;
    this.dirty.add(name);
    this.host.push(() => this.deliver());
  }

  private onName(ev: NameChange): void {
    if (ev.kind === "subscribed") this.subscribed.add(ev.name);
    const names = ev.kind === "renamed" ? [ev.from, ev.to] : [ev.name];
    if (!(this.own && names.some((n) => this.own!.has(n)))) this.pendingNames.push(ev);
    this.resolve();
  }

  /** RFC 5465 §5.6, §5.7: another session's SETMETADATA, told as `* METADATA mailbox entry ...`. */
  private onAnnotation(ev: AnnotationChange): void {
    if (!this.plan || ev.origin === this.ctx || !wantsAnnotation(this.plan, ev.mailbox, this.subscribed)) return;
    this.queued.push(metadataChangeResponse(ev.mailbox ?? "", ev.entries, this.ctx.utf8));
    this.host.push(() => this.deliver());
  }

  /** The folders again (after a name changed): LIST lines for the changes, the watched set
   *  brought up to date, or NOTIFICATIONOVERFLOW when it grew past the limit. */
  private resolve(): void {
    if (this.resolving) {
      this.resolveAgain = true;
      return;
    }
    this.resolving = true;
    void (async () => {
      try {
        do {
          this.resolveAgain = false;
          await this.resolveOnce();
        } while (this.resolveAgain && this.plan);
      } catch (e) {
        this.ctx.log.warn({ err: String(e) }, "NOTIFY could not follow a change of folder names");
      } finally {
        this.resolving = false;
      }
    })();
  }

  private async resolveOnce(): Promise<void> {
    const plan = this.plan;
    if (!plan) return;
    const store = this.ctx.store;
    // the events so far, told with the folders as listed after them (later ones go round again)
    const events = this.pendingNames.splice(0);
    const infos = await store.list();
    const now = new Set(await store.subscriptions());
    // an unsubscribed name is still covered by SUBSCRIBED for its own SubscriptionChange
    const covered = new Set([...this.subscribed, ...now]);
    this.subscribed = now;
    // a NOTIFY SET or NONE meanwhile replaced the plan: the new one has looked for itself
    if (this.plan !== plan) return;
    const byName = new Map(infos.map((i) => [i.name, i]));
    for (const ev of events) this.queued.push(...this.listLines(plan, ev, byName, covered));
    const want = watchedMailboxes(plan, infos, now);
    if (want.size > this.limit) {
      // RFC 5465 §5.8: told once, then as if NOTIFY NONE had been received
      this.clear();
      this.queued.push(untaggedStatus("OK",
        `NOTIFY stopped: it would now watch ${want.size} mailboxes for message events, more than the limit of ${this.limit}.`,
        "NOTIFICATIONOVERFLOW"));
    } else {
      await this.follow(want, plan);
    }
    this.host.push(() => this.deliver());
  }

  /** The LIST responses telling one name change, for the groups asking for it. */
  private listLines(plan: NotifyPlan, ev: NameChange, byName: Map<string, MailboxInfo>, subs: Set<string>): string[] {
    const utf8 = this.ctx.utf8;
    const asks = (name: string, e: "MailboxName" | "SubscriptionChange") => eventsFor(plan, name, subs).has(e);
    const current = (name: string): string => {
      const info = byName.get(name);
      if (info) return listResponse("LIST", listAttrs(info, true), "/", name, undefined, utf8);
      return listResponse("LIST", this.subscribed.has(name) ? ["\\Subscribed", "\\NonExistent"] : ["\\NonExistent"],
        "/", name, undefined, utf8);
    };
    switch (ev.kind) {
      case "renamed": {
        if (!asks(ev.from, "MailboxName") && !asks(ev.to, "MailboxName")) return [];
        const info = byName.get(ev.to);
        return [renamedListResponse(info ? listAttrs(info, true) : ["\\NonExistent"], "/", ev.to, ev.from, utf8)];
      }
      case "created":
      case "deleted": {
        // the mailbox and its direct parent are affected (RFC 5465 §5.4)
        const parent = parentOf(ev.name);
        return [ev.name, ...(parent ? [parent] : [])].filter((n) => asks(n, "MailboxName")).map(current);
      }
      case "subscribed":
      case "unsubscribed":
        return asks(ev.name, "SubscriptionChange") ? [current(ev.name)] : [];
    }
  }

  // ---- the watched set ---------------------------------------------------------------------

  private async follow(want: Map<string, Set<MessageEventName>>, plan: NotifyPlan): Promise<void> {
    for (const [name, w] of this.watched) {
      if (!want.has(name)) {
        w.stop();
        this.watched.delete(name);
        this.lastSent.delete(name);
      }
    }
    for (const [name, events] of want) {
      const had = this.watched.get(name);
      if (had) {
        had.events = events;
        continue;
      }
      let stop: () => void;
      try {
        const mailbox = await this.ctx.store.mailbox(name);
        stop = mailbox.watchLightly((ev) => this.onMessage(name, ev));
      } catch (e) {
        if (e instanceof StoreError && e.code === "NONEXISTENT") continue; // gone meanwhile
        throw e;
      }
      if (this.plan !== plan) {
        stop();
        return;
      }
      this.watched.set(name, { events, stop });
      // the state the client is assumed to know: later changes are told against it
      const line = await this.statusOf(name, changeItems(events, this.ctx.condstore));
      if (line) this.lastSent.set(name, line);
    }
  }

  private async statusOf(name: string, items: StatusItem[]): Promise<string | null> {
    try {
      return await statusLine(this.ctx, name, items);
    } catch (e) {
      if (e instanceof StoreError && e.code === "NONEXISTENT") return null;
      throw e;
    }
  }

  private selectedName(): string | null {
    return this.ctx.view?.mailbox.name ?? null;
  }

  private overflowNo(count: number): Result {
    return no(`NOTIFY would watch ${count} mailboxes for message events; at most ${this.limit} can be watched. ` +
      "Name fewer (MAILBOXES, SUBTREE), or ask only MailboxName or SubscriptionChange for the rest.",
      "NOTIFICATIONOVERFLOW");
  }
}
