// One client connection after login: framer → parser → handler table → view → bytes.
// One command at a time; pending mailbox updates are sent before each tagged response (EXPUNGE
// only where RFC 3501 §7.4.1 allows) and at once during IDLE. An exception inside a handler is
// logged with its stack and answered with a tagged BAD; the session goes on.
import type { Duplex, Readable } from "node:stream";
import { match, P } from "ts-pattern";
import { Framer, type Frame } from "../protocol/framer.js";
import { parseCommand, ParseError, peekCommandName, peekTag } from "../protocol/parse.js";
import type { Command } from "../protocol/ast.js";
import type { Handoff } from "../protocol/handoff.js";
import { StoreError, type UserStore } from "../store/contract.js";
import type { Logger, TraceSink } from "./api.js";
import { capabilities, enableable, entryFor, needsSelected } from "./command-table.js";
import { selectedContext, type SessionContext, type Shared, type State } from "./context.js";
import { BadSequence, type MailboxView, type ViewChanges } from "./view.js";
import { BrokenResponse, CommandFailure, IDLING, bad, type Result } from "./result.js";
import type { RecentClaims } from "./recent.js";
import { withSaved } from "./search/saved-result.js";
import { SearchUpdates } from "./search/update-contexts.js";
import { Compression } from "./compression.js";
import { literalCapability, nonSyncMax } from "../protocol/literal-plus-minus.js";
import { codes, continuation, tagged, untaggedStatus } from "../protocol/responses.js";
import { Notifier } from "./notify/notifier.js";
import { commandEnded, commandStarted } from "./time-slice.js";
import { SETMETADATA_LITERAL_MAX } from "./commands/metadata.js";


/** Internal: the connection must close without a tagged response. */
const BROKEN: Result = { status: "BAD", text: "broken response" };

const NO_EXPUNGE = new Set(["FETCH", "STORE", "SEARCH"]);

export class Session implements SessionContext {
  state: State = "authenticated";
  view: MailboxView | null = null;
  readonly enabled = new Set<string>();
  /** SEARCHRES (RFC 5182): the UIDs the last SEARCH ... RETURN (SAVE) found; `$` names them */
  saved: number[] = [];
  readonly updates = new SearchUpdates();
  /** the update being computed and sent: the next waits for it, so updates keep their order */
  private flushing: Promise<void> = Promise.resolve();
  private readonly framer: Framer;
  private pumping = false;
  private closed = false;
  private idleTag: string | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  private logoutTimer: NodeJS.Timeout | null = null;
  /** COMPRESS=DEFLATE, once its OK is out */
  private compression: Compression | null = null;
  private compressAfterReply = false;
  /** NOTIFY (RFC 5465): what this connection is told between commands */
  readonly notifier: Notifier;
  /** a command (or IDLE's end) is running: pushes wait for it (see push) */
  private inCommand = false;
  private pushing: Promise<void> = Promise.resolve();

  constructor(
    readonly shared: Shared,
    private readonly socket: Duplex,
    private readonly handoff: Handoff,
    readonly name: string,
    readonly log: Logger,
    private readonly onClose: () => void,
  ) {
    this.framer = new Framer({
      maxLiteralSize: (cmd) =>
        (cmd === "APPEND" ? shared.maxMessageSize : cmd === "SETMETADATA" ? SETMETADATA_LITERAL_MAX : 64 * 1024),
      nonSyncMax: nonSyncMax(shared.literalMinus),
    });
    this.notifier = new Notifier({ ctx: this, push: (fn) => this.push(fn) }, shared.notifyMaxMailboxes);
  }

  get notify(): Notifier {
    return this.notifier;
  }

  get store(): UserStore {
    return this.shared.store;
  }

  capabilities(): string[] {
    return capabilities(literalCapability(this.shared.literalMinus), [`APPENDLIMIT=${this.shared.maxMessageSize}`]);
  }
  enableable(): string[] {
    return enableable();
  }

  /** Completes the login the root process started, then serves commands. */
  start(): void {
    this.trace("CONNECT");
    this.socket.on("data", (chunk: Buffer) => {
      if (this.compression) this.compression.input(chunk);
      else this.received(chunk);
    });
    this.socket.on("close", () => {
      this.teardown();
      this.compression?.destroy();
    });
    this.socket.on("error", (err) => this.log.debug({ err: err.message }, "socket error"));
    this.resetLogoutTimer();
    void this.send(tagged(this.handoff.tag, "OK", `${this.handoff.command.toUpperCase()} completed`,
      codes.capability(this.capabilities())));
  }

  /** Client bytes (decompressed, under COMPRESS) to the framer. */
  private received(bytes: Buffer): void {
    this.framer.push(bytes);
    if (this.framer.buffered > 1024 * 1024) this.socket.pause();
    void this.pump();
  }

  get compressing(): boolean {
    return this.compression !== null || this.compressAfterReply;
  }

  startCompression(): void {
    this.compressAfterReply = true;
  }

  /** COMPRESS (RFC 4978): from the byte after its tagged OK, both directions are deflated. */
  private beginCompression(): void {
    this.compressAfterReply = false;
    this.compression = new Compression(this.socket, (bytes) => this.received(bytes), (err) => {
      this.log.warn({ err: err.message }, "the client's compressed data is corrupt; closing the connection");
      this.compression?.destroy();
      this.socket.destroy();
    });
    // the client waits for the OK before it sends (RFC 4978 §3); anything already here is compressed
    const early = this.framer.takeUnread();
    if (early.length) this.compression.input(early);
  }

  /** Changes the selected mailbox (null: back to authenticated). */
  select(view: MailboxView | null): void {
    this.view?.close();
    this.view = view;
    this.saved = [];
    this.updates.clear();
    if (view) {
      view.onEvent = () => this.onMailboxEvent();
      this.tune(view);
    }
    if (this.state !== "logout") this.state = view ? "selected" : "authenticated";
  }

  /** CONDSTORE is on (ENABLE, SELECT (CONDSTORE) or a CONDSTORE enabling command, RFC 7162 §3.1) */
  get condstore(): boolean {
    return this.enabled.has("CONDSTORE");
  }

  get rev2(): boolean {
    return this.enabled.has("IMAP4rev2");
  }

  get utf8(): boolean {
    return this.rev2 || this.enabled.has("UTF8=ACCEPT");
  }

  /** Switches an extension on for the rest of the connection; QRESYNC implies CONDSTORE. */
  enable(name: string): void {
    if (name === "CONDSTORE" || name === "QRESYNC") this.enabled.add("CONDSTORE");
    this.enabled.add(name);
    if (this.view) this.tune(this.view);
  }

  /** What the view must know of the enabled extensions to word its updates. */
  private tune(view: MailboxView): void {
    view.modseqs = this.condstore;
    view.vanished = this.enabled.has("QRESYNC");
    view.rev2 = this.rev2;
    // RFC 5465 §5.1: a FlagChange notification names the message's UID
    view.flagUids = this.notifier.selected?.events.has("FlagChange") ?? false;
  }

  logout(): void {
    this.select(null);
    this.state = "logout";
  }

  // ---- output ------------------------------------------------------------------------------

  /** Writes one complete response (built by src/protocol). */
  send(response: string | Buffer): Promise<void> {
    return this.write(response);
  }

  /** Writes complete responses in writes of about 64 KB, not one per line. */
  async sendLines(responses: readonly string[]): Promise<void> {
    let chunk = "";
    for (const line of responses) {
      chunk += line;
      if (chunk.length >= 64 * 1024) {
        await this.write(Buffer.from(chunk, "utf8"));
        chunk = "";
      }
    }
    if (chunk) await this.write(Buffer.from(chunk, "utf8"));
  }

  /** Writes bytes, waiting for the socket to drain when its buffer is full. */
  write(chunk: Buffer | string): Promise<void> {
    if (this.closed || this.socket.destroyed) return Promise.resolve();
    const buf = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
    this.trace("SEND", buf);
    const target = this.compression?.drainable ?? this.socket;
    if (this.compression ? this.compression.write(buf) : this.socket.write(buf)) return Promise.resolve();
    // the buffer is full: a corked socket (see pump) would never drain, so it goes now
    this.uncork();
    return new Promise((resolve) => {
      const done = () => {
        target.off("drain", done);
        this.socket.off("close", done);
        resolve();
      };
      target.once("drain", done);
      this.socket.once("close", done);
    });
  }

  private uncork(): void {
    while (this.socket.writableCorked > 0) this.socket.uncork();
  }

  /** Streams a body to the client with back-pressure; resolves with the bytes written. */
  async pipe(stream: Readable): Promise<number> {
    let n = 0;
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      n += chunk.length;
      await this.write(chunk);
    }
    return n;
  }

  private trace(kind: "CONNECT" | "RECEIVED" | "SEND" | "CLOSE", data?: Buffer): void {
    const t = this.shared.trace;
    if (!t?.enabled) return;
    t.record({
      connection: this.name,
      remote: this.handoff.remote,
      msg_type: kind,
      ...(data ? { data: data.toString("latin1") } : {}),
    });
  }

  // ---- input -------------------------------------------------------------------------------

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (;;) {
        if (this.closed || this.state === "logout") return;
        const ev = this.framer.next();
        if (ev === null) break;
        this.resetLogoutTimer();
        // What one command (or literal, or IDLE's DONE) makes leaves in one write when the
        // socket takes it: two to three syscalls per command were a tenth of a mixed load's
        // CPU, here and again in the root process that relays them. A response larger than
        // the socket's buffer uncorks it at once (see write), so big ones stream as before.
        this.socket.cork();
        try {
          await this.exclusive(() => this.guard("input", () => match(ev)
            .with({ kind: "frame" }, (e) => this.onFrame(e.frame))
            .with({ kind: "line" }, (e) => this.onIdleLine(e.line))
            .with({ kind: "continue" }, () => this.send(continuation("Ready for literal data")))
            .with({ kind: "error" }, async (e) => {
              await this.send(tagged(e.tag ?? "*", e.status, e.text, e.code));
              if (e.close) this.end();
            })
            .exhaustive()));
        } finally {
          this.uncork();
        }
      }
    } finally {
      this.pumping = false;
      if (this.socket.isPaused() && this.framer.buffered < 256 * 1024) this.socket.resume();
    }
  }

  /** Runs `fn`; anything it throws is logged with its stack and answered `* BAD`, never fatal. */
  private async guard(what: string, fn: () => Promise<unknown>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      this.log.error({ err, what }, "unexpected failure in the session");
      await this.send(untaggedStatus("BAD", "Internal error; the session goes on."));
    }
  }

  private async onFrame(frame: Frame): Promise<void> {
    this.trace("RECEIVED", inline(frame));
    if (this.idleTag !== null) {
      // framed normally although we asked for a raw line: cannot happen, but never run blind
      await this.onIdleLine(frame.line);
      return;
    }
    let cmd: Command;
    try {
      cmd = parseCommand(frame, this.utf8);
    } catch (e) {
      if (e instanceof ParseError) {
        await this.send(tagged(e.tag ?? "*", e.status, e.message, e.code));
        return;
      }
      throw e;
    }
    await this.execute(cmd);
  }

  private async execute(cmd: Command): Promise<void> {
    let result: Result;
    // everything between parsing and the tagged answer: whatever throws, the client gets its tag
    this.notifier.ownCommand(cmd);
    commandStarted();
    try {
      try {
        result = await this.dispatch(cmd);
      } catch (e) {
        result = this.failure(cmd, e);
      } finally {
        this.notifier.ownCommand(null);
      }
      if (result === IDLING) return;
      if (result === BROKEN) {
        this.end();
        return;
      }
      await this.finish(cmd, result);
    } finally {
      commandEnded(); // an IDLE counts until it waits
    }
  }

  /** The handler table decides: refused in this state, or run. */
  private async dispatch(cmd: Command): Promise<Result> {
    const entry = entryFor(cmd.name);
    if (!(entry.states as readonly State[]).includes(this.state)) {
      return entry.states.includes("selected") && this.state === "authenticated"
        ? bad("No mailbox selected.")
        : bad(`${cmd.name} not allowed now.`);
    }
    const args = withSaved(this, cmd) as never;
    if (needsSelected(entry)) {
      if (!this.view) return bad("No mailbox selected.");
      return entry.handler(selectedContext(this, this.view), args);
    }
    return entry.handler(this, args);
  }

  /** Pending updates, then the tagged response. */
  private async finish(cmd: Command, result: Result): Promise<void> {
    // updates go out before the tagged response; failing to compute them must not lose it
    if (cmd.name === "NOTIFY" && this.view) this.tune(this.view);
    await this.guard("updates", async () => {
      await this.flushUpdates(!(NO_EXPUNGE.has(cmd.name) && !("uid" in cmd && cmd.uid)), cmd.name);
      await this.notifier.deliver();
    });
    await this.send(tagged(cmd.tag, result.status, result.text, result.code));
    if (this.compressAfterReply) this.beginCompression();
    if (this.state === "logout") this.end();
  }

  private failure(cmd: Command, e: unknown): Result {
    return match(e)
      .with(P.instanceOf(CommandFailure), (f) => f.result)
      .with(P.instanceOf(StoreError), (se) =>
        ({ status: "NO" as const, code: se.code === "SERVERBUG" ? "SERVERBUG" : se.code, text: se.message }))
      .with(P.instanceOf(BadSequence), (b) => bad(`Error in IMAP command ${cmd.name}: ${b.message}`))
      .with(P.instanceOf(BrokenResponse), (b) => {
        this.log.error({ err: b, command: cmd.name, tag: cmd.tag }, "response broken mid-literal; closing");
        return BROKEN;
      })
      // the disk full or a file the user may not write: the client's command failed (NO), the
      // server is fine; saying BAD [SERVERBUG] would blame the wrong side
      .with({ code: P.union("ENOSPC", "EDQUOT", "SQLITE_FULL") }, (err) => {
        this.log.warn({ err, command: cmd.name, tag: cmd.tag }, "no space left");
        return { status: "NO" as const, code: "OVERQUOTA", text: `${cmd.name} failed: no space left for this mailbox.` };
      })
      .with({ code: P.union("EACCES", "EPERM", "EROFS", "SQLITE_READONLY") }, (err) => {
        this.log.warn({ err, command: cmd.name, tag: cmd.tag }, "permission denied");
        return { status: "NO" as const, code: "NOPERM", text: `${cmd.name} failed: permission denied.` };
      })
      .otherwise((err) => {
        this.log.error({ err, command: cmd.name, tag: cmd.tag }, "command failed unexpectedly");
        return bad(`Internal error in ${cmd.name}; the session goes on.`, "SERVERBUG");
      });
  }

  /** Sends what the selected mailbox's view has to tell; closes the session if it vanished.
   *  `cmd`: the command whose end this is (its own new messages get no NOTIFY fetch-atts). */
  async flushUpdates(expunge: boolean, cmd: Command["name"] | null = null, flags = true): Promise<void> {
    const view = this.view;
    if (!view) return;
    if (view.gone) {
      await this.send(untaggedStatus("BYE", "Selected mailbox was deleted, have to disconnect."));
      this.state = "logout";
      this.end();
      return;
    }
    const all = view.allUids();
    const before = all.length ? all[all.length - 1] : 0;
    // UPDATE contexts re-test messages asynchronously: one flush at a time (IDLE's pushes
    // overlap), each sending its REMOVEFROMs, the view's lines, then its ADDTOs
    const run = this.flushing.then(async () => {
      if (this.view !== view) return; // deselected while an earlier flush was sent
      if (!this.updates.active) return this.sendLines(view.flush(expunge, undefined, flags));
      const changes: ViewChanges = { expunged: [], added: [], touched: [] };
      const lines = view.flush(expunge, changes, flags);
      const u = await this.updates.lines(view, changes);
      await this.sendLines([...u.before, ...lines, ...u.after]);
    });
    this.flushing = run.catch(() => undefined);
    await run;
    await this.notifier.newMessages(view, before, cmd);
  }

  // ---- NOTIFY (RFC 5465): output between commands --------------------------------------------

  /**
   * Runs a command (or IDLE's end) alone: a push in flight is finished first and none starts
   * until it is done, so nothing is ever written inside a command's output. Afterwards, what
   * NOTIFY has to say goes out at once.
   */
  private async exclusive(fn: () => Promise<void>): Promise<void> {
    this.inCommand = true;
    try {
      await this.pushing;
      await fn();
    } finally {
      this.inCommand = false;
    }
    if (this.notifier.selected) this.pushSelected();
    this.push(() => this.notifier.deliver());
  }

  /** Runs `fn` once no command is running; a command that begins meanwhile says it instead. */
  private push(fn: () => Promise<void>): void {
    this.pushing = this.pushing.then(async () => {
      if (this.inCommand || this.closed || this.state === "logout") return;
      await this.guard("notify", fn);
    });
  }

  /** NOTIFY SELECTED: updates as they happen; SELECTED-DELAYED keeps EXPUNGE for a command
   *  that allows it (RFC 5465 §6.1.2), and without FlagChange flag changes wait for one too. */
  private pushSelected(): void {
    const delayed = this.notifier.selected?.delayed ?? true;
    // flag changes only when asked for (RFC 5465 §3: SELECTED's events are all that is told)
    const flags = this.notifier.selected?.events.has("FlagChange") ?? false;
    this.push(() => this.flushUpdates(this.idleTag !== null || !delayed, null, this.idleTag !== null || flags));
  }

  // ---- IDLE (RFC 2177) ---------------------------------------------------------------------

  /** Called by the IDLE handler after it sent its continuation. */
  beginIdle(tag: string): void {
    this.idleTag = tag;
    this.framer.expectRawLine();
    const tick = () => {
      if (this.idleTag === null) return;
      // through push, as NOTIFY's output is: never inside a FETCH pushed for MessageNew
      this.push(async () => {
        await this.view?.mailbox.sync();
        await this.send(untaggedStatus("OK", "Still here"));
      });
      if (this.idleTag !== null) this.idleTimer = setTimeout(tick, this.shared.idleKeepaliveMs);
    };
    this.idleTimer = setTimeout(tick, this.shared.idleKeepaliveMs);
    void this.guard("idle updates", () => this.flushUpdates(true));
  }

  private onMailboxEvent(): void {
    if (this.idleTag !== null) this.push(() => this.flushUpdates(true));
    else if (this.notifier.selected) this.pushSelected();
  }

  private async onIdleLine(line: Buffer): Promise<void> {
    const tag = this.idleTag;
    if (tag === null) return;
    this.trace("RECEIVED", line);
    this.endIdle();
    const text = line.toString("latin1");
    if (text.trim().toUpperCase() === "DONE") {
      await this.finish({ name: "IDLE", tag }, { status: "OK", text: "Idle completed." });
      return;
    }
    // Some clients (iOS Mail) send the next command without DONE: end IDLE and run it.
    const nextTag = peekTag(text);
    if (nextTag !== undefined && peekCommandName(text) !== undefined && !/\{\d+\+?\}$/.test(text)) {
      await this.finish({ name: "IDLE", tag }, { status: "OK", text: "Idle completed (without DONE)." });
      await this.onFrame({ line, literals: [] });
      return;
    }
    await this.finish({ name: "IDLE", tag }, bad("Expected DONE to end IDLE."));
  }

  private endIdle(): void {
    this.idleTag = null;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }

  // ---- end ---------------------------------------------------------------------------------

  private resetLogoutTimer(): void {
    if (this.logoutTimer) clearTimeout(this.logoutTimer);
    this.logoutTimer = setTimeout(() => {
      void this.send(untaggedStatus("BYE", "Disconnected for inactivity.")).then(() => this.end());
    }, this.shared.idleTimeoutMs);
    this.logoutTimer.unref?.();
  }

  /** Server-initiated close (shutdown). */
  async bye(reason: string): Promise<void> {
    await this.send(untaggedStatus("BYE", reason));
    this.end();
  }

  private end(): void {
    if (this.closed) return;
    if (this.compression) this.compression.end();
    else this.socket.end();
    this.teardown();
  }

  private teardown(): void {
    if (this.closed) return;
    this.closed = true;
    this.endIdle();
    this.notifier.clear();
    if (this.logoutTimer) clearTimeout(this.logoutTimer);
    this.view?.close();
    this.view = null;
    this.trace("CLOSE");
    this.onClose();
  }
}

/** The command as the client sent it, literals inline (for the trace). */
function inline(frame: Frame): Buffer {
  if (frame.literals.length === 0) return frame.line;
  const text = frame.line.toString("latin1");
  const parts: Buffer[] = [];
  let last = 0;
  let i = 0;
  for (const m of text.matchAll(/~?\{\d+\+?\}(?= |\)|$)/g)) {
    if (i >= frame.literals.length) break;
    const end = m.index! + m[0].length;
    parts.push(Buffer.from(text.slice(last, end) + "\r\n", "latin1"), frame.literals[i++]);
    last = end;
  }
  parts.push(Buffer.from(text.slice(last), "latin1"));
  return Buffer.concat(parts);
}
