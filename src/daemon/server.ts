// The root process's server: the TLS listener (implicit TLS) and the optional plaintext
// listener with STARTTLS (both taking PROXY headers from trusted proxies), login checks with
// throttling, and the hand-over of logged-in connections to user processes, whose bytes it then
// relays unchanged both ways.
import { createServer as createTcpServer, type Server, type Socket } from "node:net";
import { createSecureContext, type SecureContext } from "node:tls";
import { promises as fsp } from "node:fs";
import { encodeHandoff, type Handoff, type HandoffQuota } from "../protocol/handoff.js";
import { effectiveQuota } from "./quota-field.js";
import { LoginChecker, type LoginOutcome } from "./login-check.js";
import { PasswordFile, type Account } from "./pwfile.js";
import { PreAuthConnection, type PreAuthContext } from "./preauth.js";
import { acceptConnection, type Arrived } from "./proxy-accept.js";
import { Supervisor, type SupervisorLogger } from "./supervisor.js";
import { TrustedProxies } from "./trusted-proxies.js";
import { ScramCredentialSource } from "./sasl/scram-credentials.js";

export interface RootServerOptions {
  address: string;
  /** implicit-TLS port (0 = any free port) */
  port: number;
  /** plaintext + STARTTLS port; undefined = none */
  plainPort?: number;
  cert: Buffer;
  key: Buffer;
  pwfile: string;
  log: SupervisorLogger & { child?(b: object): SupervisorLogger };
  version: string;
  runDir: string;
  /** node arguments that start the user process program (see user-entry.ts) */
  userEntry: string[];
  /** what to start if that program cannot load here (see Supervisor) */
  userEntryFallback?: string[];
  userNodeOptions: string[];
  userArgs: string[];
  /** tracing on at the start (SIGUSR1 switches it, see Supervisor.setTrace) */
  trace?: boolean;
  onTrace?: (user: string, line: string) => void;
  /** delay before answering a failed login, ms */
  failDelayMs?: number;
  /** delay before answering a throttled login, ms */
  throttleDelayMs?: number;
  preAuthTimeoutMs?: number;
  /** user processes started ahead of logins (see Supervisor) */
  userPoolSize?: number;
  /** user processes shared by the users of one mail owner; 0 = one per user (see Supervisor) */
  processesPerOwner?: number;
  /** LITERAL- instead of LITERAL+ (RFC 7888 §5) */
  literalMinus?: boolean;
  /** proxies whose PROXY headers (and ID x-originating-ip) name the client; none by default */
  trustedProxies?: TrustedProxies;
  /** the quota of users whose password file line gives none; none by default */
  quota?: HandoffQuota;
}

/** TLS 1.2+ with forward secrecy and AEAD only (Mozilla "intermediate"): Node's default list
 *  still admits RSA key exchange and CBC suites such as AES256-GCM-SHA384 and AES128-SHA. TLS 1.3
 *  suites are all modern and stay at their defaults. */
const TLS_POLICY = {
  minVersion: "TLSv1.2" as const,
  ciphers: [
    "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
    "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384",
    "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305",
    "DHE-RSA-AES128-GCM-SHA256", "DHE-RSA-AES256-GCM-SHA384",
  ].join(":"),
  honorCipherOrder: true,
};

export class RootServer {
  readonly supervisor: Supervisor;
  private readonly logins: LoginChecker;
  private readonly scram: ScramCredentialSource;
  private readonly trusted: TrustedProxies;
  private readonly secureContext: SecureContext;
  private servers: Server[] = [];
  private preauth = new Set<PreAuthConnection>();
  private relayed = new Set<Socket>();

  constructor(private readonly o: RootServerOptions) {
    this.secureContext = createSecureContext({ cert: o.cert, key: o.key, ...TLS_POLICY });
    const pw = new PasswordFile(o.pwfile, (p) => o.log.warn({ pwfile: o.pwfile, ...p }, "bad line in password file"));
    this.logins = new LoginChecker(pw, o.log);
    this.scram = new ScramCredentialSource((user) => pw.lookup(user));
    this.trusted = o.trustedProxies ?? new TrustedProxies(undefined);
    this.supervisor = new Supervisor({ runDir: o.runDir, userEntry: o.userEntry, userEntryFallback: o.userEntryFallback, nodeOptions: o.userNodeOptions,
      userArgs: o.userArgs, trace: o.trace, log: o.log, onTrace: o.onTrace, poolSize: o.userPoolSize,
      perOwner: o.processesPerOwner });
  }

  /** Reads the password file once, so a broken one stops the start with a clear error. */
  async start(): Promise<{ port: number; plainPort?: number }> {
    await this.logins.pw.load();
    // Both ports are TCP listeners: a PROXY header comes before TLS (see proxy-accept.ts).
    const tlsServer = createTcpServer((s) => void this.arrive(s, true));
    const port = await listen(tlsServer, this.o.port, this.o.address);
    this.servers.push(tlsServer);
    let plainPort: number | undefined;
    if (this.o.plainPort !== undefined) {
      const plain = createTcpServer((s) => void this.arrive(s, false));
      plainPort = await listen(plain, this.o.plainPort, this.o.address);
      this.servers.push(plain);
    }
    this.o.log.info({ address: this.o.address, port, plainPort, trustedProxies: this.trusted.entries }, "listening");
    this.supervisor.fillPool();
    return { port, plainPort };
  }

  private async arrive(raw: Socket, tls: boolean): Promise<void> {
    raw.setNoDelay(true);
    raw.setKeepAlive(true, 60_000);
    const arrived = await acceptConnection(raw, { trusted: this.trusted, tls: tls ? this.secureContext : null, log: this.o.log });
    if (arrived) this.accept(arrived, tls);
  }

  private accept({ socket, viaProxy, source }: Arrived, tls: boolean): void {
    const ctx: PreAuthContext = {
      log: this.o.log,
      version: this.o.version,
      secureContext: tls ? null : this.secureContext,
      preAuthTimeoutMs: this.o.preAuthTimeoutMs ?? 120_000,
      login: async (u, p, addr) => this.answer(await this.logins.check(u, p, addr)),
      scramCredentials: (u) => this.scram.of(u),
      proofLogin: (u, addr, verify) => this.answer(this.logins.checkProof(u, addr, verify)),
      handOff: (s, acc, h, pending) => this.handOff(s, acc, h, pending),
      viaProxy, source, trusts: (a) => this.trusted.trusts(a),
      literalMinus: this.o.literalMinus,
    };
    const conn = new PreAuthConnection(socket, tls, ctx);
    this.preauth.add(conn);
    socket.once("close", () => this.preauth.delete(conn));
    socket.resume(); // (paused while its PROXY header or first bytes were read)
  }

  /** The account of a login that passed; else null, once a failure's or throttling's delay is over. */
  private async answer(res: LoginOutcome): Promise<Account | null> {
    if (res.kind === "ok") return res.account;
    await sleep(res.kind === "throttled" ? (this.o.throttleDelayMs ?? 10_000) : (this.o.failDelayMs ?? 1_000));
    return null;
  }

  private async handOff(client: Socket, account: Account, handoff: Handoff, pending: Buffer): Promise<void> {
    const st = await fsp.stat(account.maildir).catch(() => null);
    if (!st?.isDirectory()) throw new Error(`mail directory ${account.maildir} does not exist`);
    const upstream = await this.supervisor.connect(account.user, account.maildir, { uid: st.uid, gid: st.gid });
    upstream.setNoDelay?.(true);
    upstream.write(encodeHandoff({ ...handoff, quota: effectiveQuota(account.quota, this.o.quota ?? {}) }));
    if (pending.length) upstream.write(pending);
    this.relayed.add(client);
    relay(client, upstream, () => this.relayed.delete(client));
  }

  /** Stops listening, says BYE to clients not yet logged in, lets user processes finish theirs. */
  async shutdown(): Promise<void> {
    this.logins.stop();
    for (const s of this.servers) s.close();
    for (const c of this.preauth) c.bye("Server shutting down.");
    await this.supervisor.shutdown();
    // The user processes have sent their BYEs; give the relays a moment to flush them.
    await Promise.all([...this.relayed].map((s) => new Promise<void>((res) => {
      if (s.destroyed) return res();
      s.once("close", () => res());
      s.end();
      setTimeout(() => { s.destroy(); res(); }, 2000).unref();
    })));
  }
}

/** Copies bytes both ways with back-pressure; when either side ends, both are closed. */
function relay(client: Socket, upstream: Socket, onClose: () => void): void {
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    client.end();
    upstream.end();
    setTimeout(() => { client.destroy(); upstream.destroy(); }, 5000).unref();
    onClose();
  };
  client.pipe(upstream, { end: false });
  upstream.pipe(client, { end: false });
  client.on("end", close).on("close", close).on("error", close);
  upstream.on("end", close).on("close", close).on("error", close);
  client.resume();
}

function listen(server: Server, port: number, address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, address, () => {
      server.removeListener("error", reject);
      const a = server.address();
      resolve(typeof a === "object" && a ? a.port : port);
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((res) => setTimeout(res, ms));
}
