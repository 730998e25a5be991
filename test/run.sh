#!/usr/bin/env bash
# The whole test suite (README's test command, run by CI): makes sure the real peers the integration
# tests talk to are installed, builds the CLI the end-to-end tests spawn, runs vitest, and ends with
# the plain line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/sbin:/sbin"

# binary → Debian package
declare -A peers=([snmpd]=snmpd [snmpget]=snmp [prometheus]=prometheus [promtool]=prometheus
  [amtool]=prometheus-alertmanager [systemd-analyze]=systemd [chromium]=chromium [ping]=iputils-ping
  [dnsmasq]=dnsmasq-base [openssl]=openssl)
missing=()
for bin in "${!peers[@]}"; do
  command -v "$bin" >/dev/null 2>&1 || missing+=("${peers[$bin]}")
done
# PostgreSQL's server binaries are not on PATH: they live in /usr/lib/postgresql/<version>/bin.
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
# A CJK font, so the browser tests' screenshots (test artifacts) show Chinese instead of empty boxes.
[ -n "$(fc-list :lang=zh 2>/dev/null)" ] || missing+=(fonts-wqy-microhei)
if [ ${#missing[@]} -gt 0 ]; then
  pkgs=$(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')
  if [ "$(id -u)" = 0 ]; then
    echo "installing test peers: $pkgs"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq --no-install-recommends $pkgs >/dev/null || {
      echo "apt-get install $pkgs failed" >&2
      exit 1
    }
  else
    echo "the integration tests need Debian packages that are missing; install them with:" >&2
    echo "  sudo apt-get install $pkgs" >&2
    exit 1
  fi
fi

# A fresh clone: install the locked dependencies first, so this one command is enough.
[ -d node_modules ] || npm ci || exit 1
npm run --silent build || exit 1
mkdir -p test-results
npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json "$@"
rc=$?
node test/summary.mjs test-results/vitest.json || rc=1
exit $rc
