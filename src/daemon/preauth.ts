// One client connection in the root process, from the greeting until it is handed to the
// user process: CAPABILITY, STARTTLS, LOGIN, AUTHENTICATE (the mechanisms of sasl/mechanisms.ts,
// with SASL-IR or continuations), ID, NOOP, LOGOUT. Commands are framed and parsed by
// src/protocol; anything else is answered as not allowed before login. After a successful login the connection leaves this class: the
// server's `handOff` callback relays the bytes, including any the client pipelined after LOGIN.
import type { Socket } from "node:net";
import { TLSSocket, type SecureContext } from "node:tls";
import { Framer, type Frame } from "../protocol/framer.js";
import { parseCommand, ParseError } from "../protocol/parse.js";
import { capabilityResponse, codes, continuation, idResponse, tagged, untaggedStatus } from "../protocol/responses.js";
import type { Command } from "../protocol/ast.js";
import type { Handoff } from "../protocol/handoff.js";
import type { Account } from "./pwfile.js";
import type { ProxySource } from "./proxy-protocol.js";
import { originatingSource } from "./originating-ip.js";
import { AUTH_FAILED, MAIL_UNAVAILABLE } from "./login-answers.js";
import { literalCapability, nonSyncMax } from "../protocol/literal-plus-minus.js";
import { decodeSaslResponse } from "./sasl/base64.js";
import type { SaslExchange, SaslStep } from "./sasl/exchange.js";
import { mechanismNamed, offeredMechanisms, type MechanismConnection } from "./sasl/mechanisms.js";
import type { ScramLookup } from "./sasl/scram-credentials.js";

export interface PreAuthLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

/** What a connection needs from the server around it. */
export interface PreAuthContext {
  log: PreAuthLogger;
  version: string;
  /** null when this listener offers no STARTTLS */
  secureContext: SecureContext | null;
  /** checks a password; resolves after any throttling or failure delay has passed */
  login(user: string, password: string, addr: string): Promise<Account | null>;
  /** SCRAM: the credentials a user name gets (fake ones when it cannot use SCRAM) */
  scramCredentials(user: string): Promise<ScramLookup>;
  /** SCRAM: runs the proof's check under the throttle; resolves after any failure delay */
  proofLogin(user: string, addr: string, verify: () => Account | null): Promise<Account | null>;
  /** hands the connection to the user's process; rejects if that process cannot be reached */
  handOff(socket: Socket, account: Account, handoff: Handoff, pending: Buffer): Promise<void>;
  /** time allowed before login, ms */
  preAuthTimeoutMs: number;
  /** the connection comes from a trusted proxy (--trusted-proxies): it may LOGIN in plaintext */
  viaProxy?: boolean;
  /** the client as the proxy's PROXY header named it */
  source?: ProxySource;
  /** LITERAL- instead of LITERAL+: non-synchronizing literals up to 4096 bytes (RFC 7888 §5) */
  literalMinus?: boolean;
  /** whether the client at this address may name another with ID's x-originating-ip */
  trusts?(addr: string): boolean;
}

const MAX_BAD_COMMANDS = 20;
/** Commands allowed without a successful login, whatever they are: a client that only sends
 *  NOOP or CAPABILITY would otherwise hold a connection (and our CPU) for the whole pre-auth
 *  timeout. Real clients need few: imapflow sends CAPABILITY, ID, LOGIN (3); Thunderbird
 *  CAPABILITY, STARTTLS, CAPABILITY, ID, AUTHENTICATE (5); iOS Mail about as many. Failed
 *  logins count too; their retries are limited by the throttle long before this. */
export const MAX_PREAUTH_COMMANDS = 50;

function isLoopback(addr: string | undefined): boolean {
  if (!addr) return false;
  const a = addr.replace(/^::ffff:/, "");
  return a === "::1" || a.startsWith("127.");
}

export function remoteOf(socket: Socket): { addr: string; remote: string } {
  const addr = (socket.remoteAddress ?? "unknown").replace(/^::ffff:/, "");
  return { addr, remote: `${addr}:${socket.remotePort ?? 0}` };
}

function sourceText(s: ProxySource): { addr: string; remote: string } {
  return { addr: s.addr, remote: `${s.addr}:${s.port}` }; // (as remoteOf writes it)
}

/** Before login a line holds at most an ID as long as RFC 2971 allows (30 pairs of 30 + 1024
 *  octets, 63 KB when every octet is escaped in a quoted string): imaptest sends 32 KB. */
const preauthFraming = (literalMinus?: boolean) =>
  ({ maxLineLength: 64 * 1024, maxLiteralSize: () => 8192, nonSyncMax: nonSyncMax(literalMinus) });

export class PreAuthConnection {
  private framer: Framer;
  /** the raw bytes pushed since the framer last held nothing: the tail of it is unconsumed */
  private raw: Buffer[] = [];
  private busy = false;
  private done = false;
  private badCommands = 0;
  private commands = 0;
  private timer: NodeJS.Timeout;
  private clientId: Array<[string, string | null]> | null = null;
  private pendingAuth: { tag: string; exchange: SaslExchange } | null = null;
  addr: string;
  remote: string;
  private readonly onData = (chunk: Buffer) => this.receive(chunk);
  private readonly onError = (e: Error) => this.ctx.log.debug({ remote: this.remote, err: e.message }, "client socket error");
  private readonly onClose = () => this.finish();

  constructor(private socket: Socket, private tls: boolean, private readonly ctx: PreAuthContext) {
    this.framer = new Framer(preauthFraming(ctx.literalMinus));
    ({ addr: this.addr, remote: this.remote } = ctx.source ? sourceText(ctx.source) : remoteOf(socket));
    this.timer = setTimeout(() => this.bye("Autologout; too long without logging in."), ctx.preAuthTimeoutMs);
    this.timer.unref();
    this.attach();
    this.write(untaggedStatus("OK", `asimap ${ctx.version} ready.`, codes.capability(this.capabilities())));
  }

  /** TLS, a loopback client (nobody can listen in on it) or a trusted proxy (which speaks plain
   *  IMAP to its backends, as nginx does) */
  private get private_(): boolean {
    return this.tls || this.ctx.viaProxy === true || isLoopback(this.socket.remoteAddress);
  }

  capabilities(): string[] {
    const caps = ["IMAP4rev1", "IMAP4rev2", literalCapability(this.ctx.literalMinus), "SASL-IR", "ID", "ENABLE", "IDLE"];
    if (!this.tls && this.ctx.secureContext) caps.push("STARTTLS");
    const mechanisms = offeredMechanisms(this.mechanismConnection());
    if (mechanisms.length > 0) caps.push(...mechanisms.map((m) => `AUTH=${m}`));
    else caps.push("LOGINDISABLED");
    return caps;
  }

  private mechanismConnection(): MechanismConnection {
    const addr = this.addr;
    return {
      private_: this.private_,
      tls: this.tls && this.socket instanceof TLSSocket ? this.socket : null,
      scram: {
        credentials: (user) => this.ctx.scramCredentials(user),
        judge: (user, verify) => this.ctx.proofLogin(user, addr, verify),
      },
    };
  }

  private attach(): void {
    this.socket.on("data", this.onData);
    this.socket.on("error", this.onError);
    this.socket.on("close", this.onClose);
  }

  /** Writes a complete response (built by src/protocol). */
  private write(response: string): void {
    if (!this.socket.destroyed) this.socket.write(response, "utf8");
  }

  /** Ends the session with `* BYE` (server shutdown, timeout). */
  bye(text: string): void {
    if (this.done) return;
    this.write(untaggedStatus("BYE", text));
    this.finish();
    this.socket.end();
  }

  private finish(): void {
    this.done = true;
    clearTimeout(this.timer);
  }

  get finished(): boolean {
    return this.done;
  }

  private receive(chunk: Buffer): void {
    if (this.done) return;
    this.framer.push(chunk);
    this.raw.push(chunk);
    this.pump();
  }

  /** Handles events until the framer needs more bytes or a command is in progress. */
  private pump(): void {
    while (!this.busy && !this.done) {
      const ev = this.framer.next();
      if (this.framer.buffered === 0) this.raw = [];
      if (ev === null) return;
      switch (ev.kind) {
        case "continue":
          this.write(continuation("Ready for literal data"));
          break;
        case "error":
          this.write(tagged(ev.tag ?? "*", ev.status, ev.text, ev.code));
          if (ev.close) { this.finish(); this.socket.end(); return; }
          if (++this.badCommands > MAX_BAD_COMMANDS) return this.bye("Too many bad commands.");
          break;
        case "line":
          this.run(() => this.authResponse(ev.line));
          break;
        case "frame":
          if (++this.commands > MAX_PREAUTH_COMMANDS) return this.bye("Too many commands without logging in.");
          this.run(() => this.command(ev.frame));
          break;
      }
    }
  }

  private run(f: () => Promise<void> | void): void {
    this.busy = true;
    Promise.resolve()
      .then(f)
      .catch((e: unknown) => {
        this.ctx.log.warn({ remote: this.remote, err: (e as Error).message }, "pre-auth command failed");
        this.write(untaggedStatus("BAD", "Internal error."));
      })
      .finally(() => {
        this.busy = false;
        if (!this.done) this.pump();
      });
  }

  private async command(frame: Frame): Promise<void> {
    let cmd: Command;
    try {
      cmd = parseCommand(frame);
    } catch (e) {
      if (!(e instanceof ParseError)) throw e;
      this.write(tagged(e.tag ?? "*", e.status, e.message, e.code));
      if (++this.badCommands > MAX_BAD_COMMANDS) this.bye("Too many bad commands.");
      return;
    }
    const { tag } = cmd;
    switch (cmd.name) {
      case "CAPABILITY":
        this.write(capabilityResponse(this.capabilities()));
        return this.write(tagged(tag, "OK", "Capability completed."));
      case "NOOP":
        return this.write(tagged(tag, "OK", "NOOP completed."));
      case "LOGOUT":
        this.write(untaggedStatus("BYE", "Logging out."));
        this.write(tagged(tag, "OK", "Logout completed."));
        this.finish();
        this.socket.end();
        return;
      case "ID":
        this.clientId = cmd.params;
        this.takeOriginatingIp(cmd.params);
        this.write(idResponse([["name", "asimap"], ["version", this.ctx.version]]));
        return this.write(tagged(tag, "OK", "ID completed."));
      case "STARTTLS":
        return this.startTls(tag);
      case "LOGIN":
        return this.login(tag, "LOGIN", cmd.userid, cmd.password);
      case "AUTHENTICATE":
        return this.authenticate(tag, cmd.mechanism, cmd.initialResponse);
      default:
        this.badCommands++;
        return this.write(tagged(tag, "BAD", `${cmd.name} is not allowed before login.`));
    }
  }

  /** A trusted proxy names its client in ID (Dovecot's x-originating-ip); anyone else cannot. */
  private takeOriginatingIp(params: Array<[string, string | null]> | null): void {
    const origin = originatingSource(params);
    if (!origin) return;
    if (!this.ctx.trusts?.(this.addr)) {
      return this.ctx.log.debug({ remote: this.remote }, "ID x-originating-ip from an untrusted client ignored");
    }
    const named = sourceText(origin);
    this.ctx.log.info({ remote: this.remote, client: named.remote }, "client address from ID x-originating-ip");
    ({ addr: this.addr, remote: this.remote } = named);
  }

  private startTls(tag: string): void {
    if (this.tls) return this.write(tagged(tag, "BAD", "TLS is already active."));
    if (!this.ctx.secureContext) return this.write(tagged(tag, "BAD", "STARTTLS is not offered here."));
    this.write(tagged(tag, "OK", "Begin TLS negotiation now."));
    // Anything the client sent after STARTTLS in the clear is discarded (RFC 9051 §6.2.1).
    this.socket.removeListener("data", this.onData);
    this.socket.removeListener("close", this.onClose); // the error listener stays on the plain socket
    this.framer = new Framer(preauthFraming(this.ctx.literalMinus));
    this.raw = [];
    const plain = this.socket;
    const secure = new TLSSocket(plain, { isServer: true, secureContext: this.ctx.secureContext });
    secure.once("secure", () => this.ctx.log.debug({ remote: this.remote }, "STARTTLS done"));
    this.socket = secure;
    this.tls = true;
    this.attach();
  }

  private async authenticate(tag: string, name: string, initial: string | undefined): Promise<void> {
    const mechanism = mechanismNamed(name.toUpperCase());
    if (!mechanism) return this.write(tagged(tag, "NO", "Unsupported authentication mechanism.", "CANNOT"));
    const conn = this.mechanismConnection();
    if (!this.private_) {
      return this.write(tagged(tag, "NO", "Authentication needs TLS: use STARTTLS first.", "PRIVACYREQUIRED"));
    }
    if (!mechanism.offered(conn)) return this.write(tagged(tag, "NO", `${mechanism.name} needs TLS.`, "CANNOT"));
    const data = initial === undefined ? undefined : decodeSaslResponse(initial);
    if (data === null) return this.write(tagged(tag, "BAD", "Invalid base64 in the initial response."));
    const exchange = mechanism.start(conn);
    return this.saslStep(tag, exchange, await exchange.start(data));
  }

  /** A client's answer to an AUTHENTICATE challenge (a raw line). */
  private async authResponse(line: Buffer): Promise<void> {
    const pending = this.pendingAuth;
    this.pendingAuth = null;
    if (!pending) return;
    const text = line.toString("latin1").trim();
    if (text === "*") return this.write(tagged(pending.tag, "BAD", "Authentication cancelled."));
    const data = decodeSaslResponse(text);
    if (data === null) return this.write(tagged(pending.tag, "BAD", "Invalid base64 in the authentication response."));
    return this.saslStep(pending.tag, pending.exchange, await pending.exchange.next(data));
  }

  /** Carries out what the mechanism said; SASL strings go only to the client, never to a log. */
  private async saslStep(tag: string, exchange: SaslExchange, step: SaslStep): Promise<void> {
    if (this.done) return;
    switch (step.kind) {
      case "challenge":
        this.pendingAuth = { tag, exchange };
        this.framer.expectRawLine();
        return this.write(continuation(Buffer.from(step.data, "utf8").toString("base64")));
      case "password":
        return this.login(tag, "AUTHENTICATE", step.user, step.password);
      case "authenticated":
        return this.enter(tag, "AUTHENTICATE", step.account);
      case "failed":
        return this.failed(tag, step.user);
      case "refused":
        return this.write(tagged(tag, step.status, step.text, step.code));
    }
  }

  private async login(tag: string, command: string, user: string, password: string): Promise<void> {
    if (!this.private_) {
      return this.write(tagged(tag, "NO", "LOGIN is disabled until STARTTLS.", "PRIVACYREQUIRED"));
    }
    const account = await this.ctx.login(user, password, this.addr);
    if (this.done) return;
    return account ? this.enter(tag, command, account) : this.failed(tag, user);
  }

  private failed(tag: string, user: string): void {
    this.ctx.log.info({ remote: this.remote, user }, "login failed");
    this.write(tagged(tag, "NO", AUTH_FAILED, "AUTHENTICATIONFAILED"));
  }

  /** Logged in: the connection goes to the user's process, which answers the tagged OK. */
  private async enter(tag: string, command: string, account: Account): Promise<void> {
    // Hand over: stop reading here; bytes the client pipelined after this command go along.
    this.socket.removeListener("data", this.onData);
    this.socket.pause();
    const pending = this.unconsumed();
    const handoff: Handoff = { v: 1, user: account.user, maildir: account.maildir, remote: this.remote, tag, command, tls: this.tls,
      clientId: this.clientId };
    try {
      this.finish();
      await this.ctx.handOff(this.socket, account, handoff, pending);
      this.ctx.log.info({ remote: this.remote, user: account.user, tls: this.tls }, "logged in");
    } catch (e) {
      this.ctx.log.warn({ remote: this.remote, user: account.user, err: (e as Error).message },
        "user process unavailable");
      this.done = false;
      this.timer = setTimeout(() => this.bye("Autologout; too long without logging in."), this.ctx.preAuthTimeoutMs);
      this.timer.unref();
      this.write(tagged(tag, "NO", MAIL_UNAVAILABLE, "UNAVAILABLE"));
      this.socket.on("data", this.onData);
      this.socket.resume(); // the pipelined bytes are still in the framer
    }
  }

  /** The bytes pushed to the framer that it has not consumed yet. */
  private unconsumed(): Buffer {
    const n = this.framer.buffered;
    if (n === 0) return Buffer.alloc(0);
    const all = Buffer.concat(this.raw);
    return all.subarray(all.length - n);
  }
}
