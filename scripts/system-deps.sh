#!/usr/bin/env bash
# Installs and starts what the test suite needs that a fresh machine may lack:
# PostgreSQL (started on 127.0.0.1:5432 with the fairapp role and test database),
# Debian's chromium (browser tests), poppler-utils (PDF to PNG/text checks), Thai fonts, redis-server
# (the jobs tests start their own on a free port) and haproxy (make cluster's load balancer; the cluster
# starts its own redis-server and haproxy under instance/cluster/, never the Debian services), and node with
# tests/badges/node's npm packages (the independent Open Badges verifier). tests/browser/axe's axe-core (the accessibility browser tests).
# `make install` needs none of it (every Python dependency, PyICU included, comes as a wheel).
# Idempotent: does nothing that is already done. Needs root (apt-get). Usage: scripts/system-deps.sh
set -euo pipefail

PG_USER=${PG_USER:-fairapp}
PG_PASSWORD=${PG_PASSWORD:-fairapp}
PG_DB=${PG_DB:-fairapp_test}

need=()
command -v pg_ctlcluster >/dev/null || need+=(postgresql)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v pdftoppm >/dev/null || need+=(poppler-utils)
[ -n "$(fc-list :lang=th 2>/dev/null)" ] || need+=(fonts-thai-tlwg)
command -v redis-server >/dev/null || need+=(redis-server)  # the jobs tests' broker (each starts its own)
[ -x /usr/sbin/haproxy ] || command -v haproxy >/dev/null || need+=(haproxy)  # make cluster's balancer
command -v node >/dev/null || need+=(nodejs)  # tests/badges: an independent Open Badges verifier
command -v npm >/dev/null || need+=(npm)

if [ ${#need[@]} -gt 0 ]; then
  echo "system-deps: installing ${need[*]}"
  if [ "$(id -u)" != 0 ]; then
    echo "system-deps: need root to apt-get install ${need[*]}" >&2; exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# Start PostgreSQL if nothing answers on 5432.
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  ver=$(ls /usr/lib/postgresql | sort -V | tail -n1)
  if ! pg_lsclusters -h | grep -q "^$ver main"; then
    pg_createcluster "$ver" main >/dev/null
  fi
  pg_ctlcluster "$ver" main start
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi

psql_su() { su postgres -c "psql -v ON_ERROR_STOP=1 -qAt $*"; }
if [ "$(psql_su "-c \"SELECT 1 FROM pg_roles WHERE rolname='$PG_USER'\"")" != 1 ]; then
  psql_su "-c \"CREATE ROLE $PG_USER LOGIN CREATEDB PASSWORD '$PG_PASSWORD'\""
fi
if [ "$(psql_su "-c \"SELECT 1 FROM pg_database WHERE datname='$PG_DB'\"")" != 1 ]; then
  psql_su "-c \"CREATE DATABASE $PG_DB OWNER $PG_USER ENCODING 'UTF8' TEMPLATE template0\""
fi
# The independent Open Badges verifier of tests/badges (Digital Bazaar's vc + eddsa-rdfc-2022), pinned by its
# lock file: `npm ci` only when the lock file changed since the last install (a stamp holds its hash).
badges="$(cd "$(dirname "$0")/.." && pwd)/tests/badges/node"
lock_hash=$(sha256sum "$badges/package-lock.json" | cut -d' ' -f1)
if [ "$(cat "$badges/node_modules/.fairapp-lock" 2>/dev/null)" != "$lock_hash" ]; then
  echo "system-deps: npm ci in tests/badges/node"
  (cd "$badges" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  echo "$lock_hash" > "$badges/node_modules/.fairapp-lock"
fi
# axe-core for tests/browser/test_accessibility.py (WCAG 2.1 A/AA in the browser tests), the same way.
axe="$(cd "$(dirname "$0")/.." && pwd)/tests/browser/axe"
axe_hash=$(sha256sum "$axe/package-lock.json" | cut -d' ' -f1)
if [ "$(cat "$axe/node_modules/.fairapp-lock" 2>/dev/null)" != "$axe_hash" ]; then
  echo "system-deps: npm ci in tests/browser/axe"
  (cd "$axe" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  echo "$axe_hash" > "$axe/node_modules/.fairapp-lock"
fi
echo "system-deps: ok (postgresql on 127.0.0.1:5432, chromium, poppler-utils, redis-server, haproxy, node)"
