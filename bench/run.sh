#!/usr/bin/env bash
# `make bench`: our server and Dovecot side by side on the same corpus, over TLS on loopback.
# Installs Dovecot when missing, builds the code, then runs bench/imap/main (see there for the
# BENCH_* variables). BENCH_SCALE=smoke runs a tiny version in seconds.
# The report goes to bench/out/report-<scale>.md (and stdout).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" != 0 ]; then
  echo "bench: run as root (both servers switch to the mail owner's uid)" >&2
  exit 1
fi

[ -d node_modules ] || npm ci --no-audit --no-fund
mkdir -p bench/out
# The benchmark is compiled with everything else. A build that fails elsewhere (work in
# progress) still emits our files; only give up when they are missing.
if ! npm run build >bench/out/build.log 2>&1; then
  echo "bench: npm run build reported errors (see bench/out/build.log); continuing with what was emitted" >&2
else
  rm -f bench/out/build.log
fi
need=()
[ -x /usr/sbin/dovecot ] || need+=(dovecot-imapd)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
# the full-text workload's third peer, Dovecot with fts-xapian (BENCH_SERVERS=ours,dovecot leaves it out)
if [ -z "${BENCH_SERVERS:-}" ] || [[ ",${BENCH_SERVERS}," == *,xapian,* ]]; then
  [ -f /usr/lib/dovecot/modules/lib21_fts_xapian_plugin.so ] || need+=(dovecot-fts-xapian)
fi
# imaptest (the stress run) is built from ../shared/imaptest when not cached yet: what that needs
if [ "${BENCH_STRESS:-1}" != 0 ] && [ -z "${BENCH_IMAPTEST:-}" ] && [ -f dist/bench/lib/imaptest.js ]; then
  read -ra imaptest_need <<<"$(node dist/bench/lib/imaptest.js)"
  need+=("${imaptest_need[@]}")
fi
if [ ${#need[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
# 200 IDLE connections of one user are 200 Dovecot imap processes, each with an inotify
# instance; past the kernel's per-uid limit (128 by default) Dovecot falls back to polling every
# 30 s and says so in its log ("Increase /proc/sys/fs/inotify/max_user_instances"). Do as it says.
limit=/proc/sys/fs/inotify/max_user_instances
if [ -w "$limit" ] && [ "$(cat "$limit")" -lt 1024 ]; then
  echo "bench: raising fs.inotify.max_user_instances from $(cat "$limit") to 1024 (Dovecot IDLE)" >&2
  echo 1024 > "$limit"
fi
# The package starts a system-wide Dovecot on some machines; ours runs its own instance on its
# own port and base_dir, so the two do not meet.

if [ ! -f dist/bench/imap/main.js ]; then
  echo "bench: dist/bench/imap/main.js was not built" >&2
  exit 1
fi
if [ ! -f dist/src/cli/asimapd.js ] && [ -z "${BENCH_SERVERS:-}" ]; then
  echo "bench: dist/src/cli/asimapd.js not built yet: measuring Dovecot alone" >&2
fi

status=0
node dist/bench/imap/main.js || status=$?
# imaptest's stress mode against both (builds imaptest when missing); BENCH_STRESS=0 skips it
if [ "${BENCH_STRESS:-1}" != 0 ] && [ -f dist/bench/imap/stress.js ]; then
  node dist/bench/imap/stress.js || status=$?
fi
exit $status
