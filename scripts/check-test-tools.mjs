#!/usr/bin/env node
// Checks, before any test runs, that the programs the tests drive are installed, so a machine
// without them gets one line naming the Debian packages to install instead of dozens of
// "spawnSync /usr/bin/mh/inc ENOENT". Run by `make test` (and `npm test`); exit 1 when some are
// missing. The places looked at can be moved with environment variables (the test of this
// check does): PATH for commands, ASIMAP_TEST_MH_DIR (/usr/bin/mh), ASIMAP_TEST_DOVECOT
// (/usr/sbin/dovecot), ASIMAP_TEST_DOVECOT_INCLUDE (/usr/include/dovecot), ASIMAP_TEST_NGINX
// (/usr/sbin/nginx), ASIMAP_TEST_NGINX_MAIL (/usr/lib/nginx/modules/ngx_mail_module.so),
// ASIMAP_TEST_HAPROXY (/usr/sbin/haproxy).
import { accessSync, constants, statSync } from "node:fs";
import path from "node:path";

const env = process.env;
const mhDir = env.ASIMAP_TEST_MH_DIR ?? "/usr/bin/mh";
const dovecot = env.ASIMAP_TEST_DOVECOT ?? "/usr/sbin/dovecot";
const dovecotInclude = env.ASIMAP_TEST_DOVECOT_INCLUDE ?? "/usr/include/dovecot";
const nginx = env.ASIMAP_TEST_NGINX ?? "/usr/sbin/nginx";
const nginxMail = env.ASIMAP_TEST_NGINX_MAIL ?? "/usr/lib/nginx/modules/ngx_mail_module.so";
const haproxy = env.ASIMAP_TEST_HAPROXY ?? "/usr/sbin/haproxy";

function executable(file) {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function onPath(command) {
  return (env.PATH ?? "").split(path.delimiter).some((dir) => dir !== "" && executable(path.join(dir, command)));
}

function isDir(dir) {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

function isFile(file) {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

// [what is looked for, is it there, the Debian packages that provide it]
const TOOLS = [
  ...["inc", "mark", "scan", "refile", "rmm", "folder"].map((t) => [path.join(mhDir, t), () => executable(path.join(mhDir, t)), ["nmh"]]),
  [dovecot, () => executable(dovecot), ["dovecot-imapd"]],
  ["openssl", () => onPath("openssl"), ["openssl"]],
  ["python3", () => onPath("python3"), ["python3"]],
  ["cc", () => onPath("cc"), ["gcc", "libc6-dev"]],
  ["make", () => onPath("make"), ["make"]],
  // Building imaptest (test/peers): Dovecot's headers and the autotools.
  [dovecotInclude, () => isDir(dovecotInclude), ["dovecot-dev"]],
  ["autoconf", () => onPath("autoconf"), ["autoconf"]],
  ["automake", () => onPath("automake"), ["automake"]],
  ["libtoolize", () => onPath("libtoolize"), ["libtool"]],
  ["pkg-config", () => onPath("pkg-config"), ["pkg-config"]],
  ["patch", () => onPath("patch"), ["patch"]],
  // The cluster tests (test/proxy): nginx's mail proxy, HAProxy.
  [nginx, () => executable(nginx), ["nginx"]],
  [nginxMail, () => isFile(nginxMail), ["libnginx-mod-mail"]],
  [haproxy, () => executable(haproxy), ["haproxy"]],
  // A real compressed session of a mail client (test/e2e/mutt-compress.test.ts).
  ["mutt", () => onPath("mutt"), ["mutt"]],
  // GNU SASL's client: SCRAM-SHA-256(-PLUS) and LOGIN from outside (test/daemon/sasl-clients.test.ts).
  ["gsasl", () => onPath("gsasl"), ["gsasl"]],
];

const missing = TOOLS.filter(([, present]) => !present());
if (missing.length > 0) {
  const what = missing.map(([name]) => name);
  const packages = [...new Set(missing.flatMap(([, , pkgs]) => pkgs))];
  // One line, so it is the first and only thing a reader sees.
  process.stderr.write(
    `The tests need programs that are missing: ${what.join(", ")}. Install them with ` +
      `\`apt-get install ${packages.join(" ")}\` (Debian), or run \`bash .ci/run\`, which installs ` +
      "everything the tests need and runs them.\n",
  );
  process.exit(1);
}
