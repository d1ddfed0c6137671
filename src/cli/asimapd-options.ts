// The asimapd command line: options, environment variables, defaults (option beats env).
import { Command, Option } from "commander";
import { existsSync } from "node:fs";
import { packageVersion } from "../daemon/version.js";
import { sizeInBytes } from "../daemon/size-text.js";
import { ConfigError, type AsimapdConfig } from "./asimapd-run.js";

// The old README documents cert.pem/key.pem; the old code actually defaulted to
// ssl_crt.pem/ssl_key.pem. We default to the documented names and fall back to the old code's
// when only those exist, so an unchanged installation keeps working.
export const DEFAULTS = {
  address: "0.0.0.0",
  port: 993,
  cert: "/opt/asimap/ssl/cert.pem",
  key: "/opt/asimap/ssl/key.pem",
  oldCert: "/opt/asimap/ssl/ssl_crt.pem",
  oldKey: "/opt/asimap/ssl/ssl_key.pem",
  traceDir: "/opt/asimap/traces",
  pwfile: "/opt/asimap/pwfile",
  linger: "30m",
};

/** "90" (seconds), "90s", "30m", "2h", "500ms" → milliseconds */
export function parseDuration(v: string): number {
  const m = /^([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)?$/.exec(v.trim());
  if (!m) throw new ConfigError(`invalid duration ${JSON.stringify(v)} (e.g. 90, 90s, 30m, 2h)`);
  const mult = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? "s"]!;
  return Math.round(Number(m[1]) * mult);
}

/** "1048576", "512K", "64M", "1G", "2T" → bytes */
export function parseSize(v: string): number {
  const n = sizeInBytes(v);
  if (n === null) throw new ConfigError(`invalid size ${JSON.stringify(v)} (e.g. 67108864, 64M, 1G)`);
  return n;
}

function parseMessages(v: string): number {
  if (!/^[0-9]{1,15}$/.test(v.trim())) throw new ConfigError(`invalid message count ${JSON.stringify(v)}`);
  return Number(v.trim());
}

/** RFC 5464 §3.2.1.1: /shared/admin MUST be a URI: a scheme, then printable ASCII. */
function parseServerAdmin(v: string): string {
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:[\x21-\x7e]+$/.test(v)) {
    throw new ConfigError(`invalid server admin ${JSON.stringify(v)} (a URI, e.g. mailto:postmaster@example.com)`);
  }
  return v;
}

function parsePort(name: string, v: string): number {
  if (!/^[0-9]+$/.test(v) || Number(v) > 65535) throw new ConfigError(`invalid ${name} ${JSON.stringify(v)}`);
  return Number(v);
}

function parseCount(name: string, v: string): number {
  if (!/^[0-9]+$/.test(v) || Number(v) > 64) throw new ConfigError(`invalid ${name} ${JSON.stringify(v)} (0 to 64)`);
  return Number(v);
}

/** DEBUG / TRACE / TRACE_BODIES: set and not empty, "0", "false", "no" or "off" */
function envFlag(v: string | undefined): boolean {
  return v !== undefined && !/^(|0|false|no|off)$/i.test(v.trim());
}

export function buildProgram(): Command {
  return new Command("asimapd")
    .description("IMAP server for mail kept in MH folders.\n" +
      "For every option that also has an environment variable, the option wins.")
    .version(packageVersion(), "--version")
    .helpOption("-h, --help", "Show this text and exit")
    .addOption(new Option("--address <i>", "the address to listen on").env("ADDRESS").default(DEFAULTS.address))
    .addOption(new Option("--port <p>", "port for IMAP over implicit TLS").env("PORT").default(String(DEFAULTS.port)))
    .addOption(new Option("--plain-port <p>", "also listen for plaintext IMAP with STARTTLS on this port " +
      "(off by default; LOGIN needs TLS except from loopback)").env("PLAIN_PORT"))
    .addOption(new Option("--cert <cert>", `TLS certificate (PEM) [default: ${DEFAULTS.cert}, or ${DEFAULTS.oldCert} if only that exists]`).env("SSL_CERT"))
    .addOption(new Option("--key <key>", `TLS key (PEM) [default: ${DEFAULTS.key}, or ${DEFAULTS.oldKey} if only that exists]`).env("SSL_KEY"))
    .addOption(new Option("--trace", "record post-login IMAP traffic in trace format 1.0, one file per user " +
      "(<trace-dir>/<user>-asimapd.trace, rotated at 20 MiB x 5); SIGUSR1 to asimapd (all users, those " +
      "who log in later too) or to one user process toggles it " +
      "(env TRACE: set and not 0/false/no/off)"))
    .addOption(new Option("--trace-bodies", "with --trace: record message contents (APPEND data, FETCH " +
      "BODY[]/BINARY[]/RFC822* literals) in full; without it they are traced as their length and sha256 " +
      "only. For recording protocol tests on test mail (env TRACE_BODIES: set and not 0/false/no/off)"))
    .addOption(new Option("--trace-dir <td>", "directory for trace files").env("TRACE_DIR").default(DEFAULTS.traceDir))
    .addOption(new Option("--debug", "log at debug level (env DEBUG: set and not 0/false/no/off)"))
    .addOption(new Option("--log-config <lc>", "JSON file of pino options (transport targets included); " +
      "without it the first of /opt/asimap, /etc, /usr/local/etc, /opt/local/etc holding asimapd_log.json " +
      "is used, else JSON lines on stdout (pretty on a terminal)").env("LOG_CONFIG"))
    .addOption(new Option("--pwfile <pwfile>", "the file of users, password hashes and mail directories")
      .env("PWFILE").default(DEFAULTS.pwfile))
    .addOption(new Option("--linger <time>", "how long a user process stays after its last connection " +
      "(seconds, or with s/m/h)").env("USER_LINGER").default(DEFAULTS.linger))
    .addOption(new Option("--max-message-size <bytes>", "largest message APPEND accepts (bytes, or K/M/G) " +
      "[default: 64M]").env("MAX_MESSAGE_SIZE"))
    .addOption(new Option("--quota-storage <bytes>", "the storage quota (RFC 9208) of users whose password " +
      "file line gives none (bytes, or K/M/G/T): APPEND and COPY beyond it are refused with OVERQUOTA " +
      "[default: no limit]").env("QUOTA_STORAGE"))
    .addOption(new Option("--quota-messages <n>", "the message-count quota of users whose password file " +
      "line gives none [default: no limit]").env("QUOTA_MESSAGES"))
    .addOption(new Option("--fts <mode>", "full-text index for SEARCH: on (a folder is indexed in the " +
      "background when first searched), open (also when first opened), off (SEARCH reads every message) " +
      "[default: on]").env("FTS").choices(["on", "open", "off"]))
    .addOption(new Option("--fts-max-size <bytes>", "largest a user's full-text index may grow (bytes, or " +
      "K/M/G); mail beyond it is searched without the index [default: no limit]").env("FTS_MAX_SIZE"))
    .addOption(new Option("--user-pool <n>", "user processes kept started ahead of logins, each taking " +
      "its user's identity when one logs in (0 = start one at each first login) [default: 1]").env("USER_POOL"))
    .addOption(new Option("--processes-per-owner <n>", "user processes serving the users whose mail has one " +
      "owner (virtual users under one uid), each user always in the same one; 0 = a process for each user " +
      "[default: the number of CPUs]").env("PROCESSES_PER_OWNER"))
    .addOption(new Option("--literal-minus", "advertise LITERAL- instead of LITERAL+ (RFC 7888): a " +
      "non-synchronizing literal over 4096 bytes is refused, for clients that should wait for the " +
      "server's go-ahead before sending large data (env LITERAL_MINUS: set and not 0/false/no/off)"))
    .addOption(new Option("--server-admin <uri>", "how to reach the administrator, a URI (mailto:, tel:, " +
      "https:), shown to clients as the server's METADATA entry /shared/admin (RFC 5464) [default: none]")
      .env("SERVER_ADMIN"))
    .addOption(new Option("--trusted-proxies <list>", "addresses and CIDR ranges of proxies (nginx, HAProxy) " +
      "that connect for clients: their connections must begin with a PROXY header (v1 or v2) naming the " +
      "client, may LOGIN without TLS, and may name the client with ID x-originating-ip " +
      "(comma-separated; off by default)").env("TRUSTED_PROXIES"))
    .addOption(new Option("--run-dir <dir>", "where the user processes' socket directories go " +
      "[default: a new directory in the system tmpdir]").env("RUN_DIR"))
    .addHelpText("after", "\nA .env file in the working directory sets variables not already set.\nEnvironment only:\n" +
      "  ENABLE_MH_FILE_LOCKING=false  do not take nmh's lock while writing MH folders (see README)\n" +
      "  ASIMAP_USER_NODE_OPTIONS      extra node options for user processes, e.g. --cpu-prof\n" +
      "  ASIMAPD_USER_ENTRY            start user processes from the bundle or the plain modules\n" +
      "                                rather than the startup snapshot: bundle | plain\n")
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
}

export function resolveConfig(o: Record<string, string | boolean | undefined>, env = process.env): AsimapdConfig {
  const pick = (given: unknown, doc: string, old: string) =>
    typeof given === "string" ? given : (!existsSync(doc) && existsSync(old) ? old : doc);
  return {
    address: String(o.address),
    port: parsePort("port", String(o.port)),
    plainPort: o.plainPort !== undefined ? parsePort("plain port", String(o.plainPort)) : undefined,
    cert: pick(o.cert, DEFAULTS.cert, DEFAULTS.oldCert),
    key: pick(o.key, DEFAULTS.key, DEFAULTS.oldKey),
    pwfile: String(o.pwfile),
    trace: o.trace === true || envFlag(env.TRACE),
    traceBodies: o.traceBodies === true || envFlag(env.TRACE_BODIES),
    traceDir: String(o.traceDir),
    debug: o.debug === true || envFlag(env.DEBUG),
    logConfig: typeof o.logConfig === "string" ? o.logConfig : undefined,
    lingerMs: parseDuration(String(o.linger)),
    maxMessageSize: typeof o.maxMessageSize === "string" ? parseSize(o.maxMessageSize) : undefined,
    quota: {
      ...(typeof o.quotaStorage === "string" ? { storage: Math.ceil(parseSize(o.quotaStorage) / 1024) } : {}),
      ...(typeof o.quotaMessages === "string" ? { messages: parseMessages(o.quotaMessages) } : {}),
    },
    fts: typeof o.fts === "string" ? (o.fts as "on" | "open" | "off") : undefined,
    ftsMaxSize: typeof o.ftsMaxSize === "string" ? parseSize(o.ftsMaxSize) : undefined,
    runDir: typeof o.runDir === "string" ? o.runDir : undefined,
    userPool: o.userPool !== undefined ? parseCount("user pool", String(o.userPool)) : undefined,
    processesPerOwner: o.processesPerOwner !== undefined ? parseCount("processes per owner", String(o.processesPerOwner)) : undefined,
    trustedProxies: typeof o.trustedProxies === "string" ? o.trustedProxies : undefined,
    literalMinus: o.literalMinus === true || envFlag(env.LITERAL_MINUS),
    serverAdmin: typeof o.serverAdmin === "string" ? parseServerAdmin(o.serverAdmin) : undefined,
    userNodeOptions: (env.ASIMAP_USER_NODE_OPTIONS ?? "").split(/\s+/).filter(Boolean),
  };
}
