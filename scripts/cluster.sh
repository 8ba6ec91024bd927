#!/usr/bin/env bash
# A local cluster on this one machine, the shape of a production installation (see README, "Cluster"):
#   PostgreSQL        the machine's server on 127.0.0.1:5432 (scripts/system-deps.sh), database $CLUSTER_DB
#   redis-server      127.0.0.1:$CLUSTER_PORT+4   Celery's broker
#   moto_server (S3)  127.0.0.1:$CLUSTER_PORT+3   bucket "fairapp" (MinIO or any S3 in production)
#   gunicorn A, B     127.0.0.1:$CLUSTER_PORT+1, +2   two app servers, 2 workers each
#   haproxy           127.0.0.1:$CLUSTER_PORT (8080)  round robin over A and B, adds X-Forwarded-For
#   celery w1, w2     two workers on the mail, print and default queues, each with WORKER_CONCURRENCY pool
#                     processes (default: half this machine's cores, at least 1: the two share its cores,
#                     one process a core, as Celery's own default); one celery beat
# All of them share one environment ($RUN/env) and one run folder ($RUN: logs, pid files, secrets, the
# instance folder). Usage: scripts/cluster.sh up [--fresh] | down | status | start NAME | stop NAME | env
#   up       starts what is not running (idempotent), migrates, loads the demo into an empty database, and
#            waits until /healthz answers through the balancer. --fresh first drops the database and the
#            run folder's data (make test's cluster: every run starts from the demo).
#   down     stops exactly what `up` started (the pid files), nothing else.
#   start/stop NAME   one service (redis, s3, app-a, app-b, worker-1, worker-2, beat, balancer): the tests
#            stop and restart the broker and the store this way.
# Settings: CLUSTER_PORT (8080), CLUSTER_DIR (instance/cluster), CLUSTER_DB (fairapp_cluster), WORKER_CONCURRENCY,
# PG_HOST/PG_PORT/PG_USER/PG_PASSWORD (127.0.0.1/5432/fairapp/fairapp); the app's MAIL_SWEEP_AFTER,
# CELERY_VISIBILITY_TIMEOUT, CERTIFICATE_CHUNK_LEASE and SWEEP_EVERY (seconds) pass through (the test
# cluster's are short).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=$ROOT/.venv/bin
CLUSTER_PORT=${CLUSTER_PORT:-8080}
RUN=${CLUSTER_DIR:-$ROOT/instance/cluster}
case $RUN in /*) ;; *) RUN=$ROOT/$RUN ;; esac
CLUSTER_DB=${CLUSTER_DB:-fairapp_cluster}
CORES=$(nproc)
WORKER_CONCURRENCY=${WORKER_CONCURRENCY:-$(( CORES >= 2 ? CORES / 2 : 1 ))}
PG_HOST=${PG_HOST:-127.0.0.1} PG_PORT=${PG_PORT:-5432}
PG_USER=${PG_USER:-fairapp} PG_PASSWORD=${PG_PASSWORD:-fairapp}
APP_A_PORT=$((CLUSTER_PORT + 1)) APP_B_PORT=$((CLUSTER_PORT + 2))
S3_PORT=$((CLUSTER_PORT + 3)) REDIS_PORT=$((CLUSTER_PORT + 4))
BUCKET=fairapp
# Stop order: the balancer first (no new requests), the broker and the store last.
SERVICES=(redis s3 app-a app-b worker-1 worker-2 beat balancer)

say() { printf 'cluster: %s\n' "$*"; }
die() { printf 'cluster: %s\n' "$*" >&2; exit 1; }

pidfile() { echo "$RUN/pids/$1.pid"; }
# What each service's command line contains: a pid file whose process no longer runs this is stale
# (the pid was reused), and is never signalled.
signature() {
  case $1 in
    redis) echo "redis-server" ;; s3) echo "moto" ;; app-a|app-b) echo "gunicorn" ;;
    worker-*) echo "worker" ;; beat) echo "beat" ;; balancer) echo "haproxy" ;;
  esac
}
pid_of() {  # the service's pid if it runs, else nothing
  local f pid
  f=$(pidfile "$1")
  [ -f "$f" ] || return 0
  pid=$(cat "$f")
  if [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$(signature "$1")"; then
    echo "$pid"
  fi
}
port_of() {
  case $1 in
    redis) echo "$REDIS_PORT" ;; s3) echo "$S3_PORT" ;; app-a) echo "$APP_A_PORT" ;;
    app-b) echo "$APP_B_PORT" ;; balancer) echo "$CLUSTER_PORT" ;; *) echo "" ;;
  esac
}
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# Still running? (Not pid_of: just after launch the pid may still be the subshell, not yet the program.)
alive() { local f; f=$(pidfile "$1"); [ -f "$f" ] && [ -d "/proc/$(cat "$f")" ]; }

wait_port() {  # wait_port NAME PORT SECONDS
  local i
  for i in $(seq 1 $(($3 * 5))); do
    port_busy "$2" && return 0
    alive "$1" || die "$1 exited while starting; its log: $RUN/logs/$1.log
$(tail -n 20 "$RUN/logs/$1.log" 2>/dev/null)"
    sleep 0.2
  done
  die "$1 did not open port $2 in $3 s; its log: $RUN/logs/$1.log"
}

write_env() {
  mkdir -p "$RUN"/{pids,logs,redis,instance}
  chmod 700 "$RUN"
  [ -s "$RUN/secret_key" ] || (umask 077; "$BIN/python" -c 'import secrets; print(secrets.token_urlsafe(48))' >"$RUN/secret_key")
  # The certificates' signing key: base64url of a 32-byte Ed25519 seed, made once, shared by every process.
  [ -s "$RUN/signing_key" ] || (umask 077; "$BIN/python" -c \
    'import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode())' >"$RUN/signing_key")
  cat >"$RUN/env" <<EOF
# Written by scripts/cluster.sh: the environment every process of the cluster shares.
export FLASK_APP=fairapp
export FAIRAPP_INSTANCE=$RUN/instance
export DATABASE_URL=postgresql+psycopg://$PG_USER:$PG_PASSWORD@$PG_HOST:$PG_PORT/$CLUSTER_DB
export CELERY_BROKER_URL=redis://127.0.0.1:$REDIS_PORT/0
export STORAGE_URL='s3://$BUCKET?endpoint_url=http://127.0.0.1:$S3_PORT&region=us-east-1'
export AWS_ACCESS_KEY_ID=cluster AWS_SECRET_ACCESS_KEY=cluster AWS_DEFAULT_REGION=us-east-1
export SECRET_KEY=$(cat "$RUN/secret_key")
export CERTIFICATE_SIGNING_KEY=$(cat "$RUN/signing_key")
export BASE_URL=http://127.0.0.1:$CLUSTER_PORT
export PROXY_COUNT=1
export SESSION_COOKIE_SECURE=0
export MAIL_SWEEP_AFTER=${MAIL_SWEEP_AFTER:-120}
export CELERY_VISIBILITY_TIMEOUT=${CELERY_VISIBILITY_TIMEOUT:-300}
export CERTIFICATE_CHUNK_LEASE=${CERTIFICATE_CHUNK_LEASE:-120}
export SWEEP_EVERY=${SWEEP_EVERY:-60}
EOF
  cat >"$RUN/haproxy.cfg" <<EOF
# Written by scripts/cluster.sh. Round robin over the two app servers; each request is balanced on its own.
global
    maxconn 4096
defaults
    mode http
    timeout connect 5s
    timeout client 120s
    timeout server 120s
    option forwardfor          # X-Forwarded-For: the client's address (the app trusts one proxy: PROXY_COUNT=1)
    option http-server-close
frontend fairapp
    bind 127.0.0.1:$CLUSTER_PORT
    default_backend app
backend app
    balance roundrobin
    http-response set-header X-Served-By %s   # which app server answered (the cluster tests read it)
    option httpchk
    timeout check 5s           # /healthz may take 2 s while the broker is down: still up, never dropped for it
    http-check send meth GET uri /healthz ver HTTP/1.1 hdr Host 127.0.0.1
    server a 127.0.0.1:$APP_A_PORT check inter 2s fall 2 rise 1
    server b 127.0.0.1:$APP_B_PORT check inter 2s fall 2 rise 1
EOF
}

launch() {  # launch NAME COMMAND...: in a session of its own (so `down` stops its children too)
  local name=$1; shift
  if [ -n "$(pid_of "$name")" ]; then say "$name already running (pid $(pid_of "$name"))"; return 0; fi
  local port; port=$(port_of "$name")
  if [ -n "$port" ] && port_busy "$port"; then
    die "port $port (for $name) is taken by something this script did not start; set CLUSTER_PORT"
  fi
  echo "--- cluster.sh start $(date -u +%FT%TZ)" >>"$RUN/logs/$name.log"
  (cd "$RUN" && set -a && . "$RUN/env" && set +a && exec setsid "$@" >>"$RUN/logs/$name.log" 2>&1 </dev/null) &
  echo $! >"$(pidfile "$name")"
  [ -n "$port" ] && wait_port "$name" "$port" 30
  say "$name started (pid $!${port:+, 127.0.0.1:$port})"
}

start() {
  case $1 in
    redis) launch redis redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$RUN/redis" \
             --appendonly yes --save '' --daemonize no --protected-mode yes ;;
    s3) launch s3 "$BIN/moto_server" -H 127.0.0.1 -p "$S3_PORT"
        "$BIN/python" - "$S3_PORT" "$BUCKET" <<'EOF'
import sys, boto3
s3 = boto3.client("s3", endpoint_url=f"http://127.0.0.1:{sys.argv[1]}", region_name="us-east-1",
                  aws_access_key_id="cluster", aws_secret_access_key="cluster")
if sys.argv[2] not in [b["Name"] for b in s3.list_buckets()["Buckets"]]:
    s3.create_bucket(Bucket=sys.argv[2])
EOF
        ;;
    app-a|app-b) launch "$1" "$BIN/gunicorn" -w 2 -b "127.0.0.1:$(port_of "$1")" --timeout 120 \
                   --access-logfile - --name "fairapp-$1" 'fairapp:create_app()' ;;
    worker-1|worker-2) launch "$1" "$BIN/celery" -A fairapp.worker worker -Q mail,print,default \
                   -n "$1@%h" --concurrency "$WORKER_CONCURRENCY" --loglevel INFO ;;
    beat) launch beat "$BIN/celery" -A fairapp.worker beat --loglevel INFO \
            --schedule "$RUN/beat-schedule" --pidfile '' ;;
    balancer) launch balancer haproxy -db -f "$RUN/haproxy.cfg" ;;
    *) die "no service $1 (one of: ${SERVICES[*]})" ;;
  esac
}

wait_log() {  # wait_log NAME TEXT SECONDS: a worker is ready when its log says so
  local i
  for i in $(seq 1 $(($3 * 5))); do
    tac "$RUN/logs/$1.log" | sed '/^--- cluster.sh start/q' | grep -q -- "$2" && return 0
    alive "$1" || die "$1 exited while starting; its log: $RUN/logs/$1.log"
    sleep 0.2
  done
  die "$1 not ready in $3 s; its log: $RUN/logs/$1.log"
}

stop() {
  local pid i
  pid=$(pid_of "$1")
  if [ -z "$pid" ]; then rm -f "$(pidfile "$1")"; return 0; fi
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 100); do  # up to 20 s: a worker finishes its task (warm shutdown)
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then kill -KILL -- "-$pid" 2>/dev/null || true; fi
  rm -f "$(pidfile "$1")"
  say "$1 stopped (pid $pid)"
}

database() {  # create the cluster's database if missing (--fresh: drop it first)
  pg_ready || die "PostgreSQL does not answer on $PG_HOST:$PG_PORT: run scripts/system-deps.sh (as root)"
  "$BIN/python" - "$CLUSTER_DB" "${1:-}" "postgresql://$PG_USER:$PG_PASSWORD@$PG_HOST:$PG_PORT/postgres" <<'EOF'
import sys, psycopg
name, fresh, url = sys.argv[1], sys.argv[2] == "fresh", sys.argv[3]
with psycopg.connect(url, autocommit=True) as conn:
    if fresh:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
        conn.execute(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0")
        print("created")
    else:
        print("existing")
EOF
}
pg_ready() {
  "$BIN/python" -c "import socket,sys; socket.create_connection(('$PG_HOST', $PG_PORT), 2)" 2>/dev/null
}

healthy() {  # healthy URL: /healthz answers 200
  "$BIN/python" -c "import sys, urllib.request; sys.exit(urllib.request.urlopen(sys.argv[1], timeout=3).status != 200)" \
    "$1/healthz" 2>/dev/null
}

up() {
  local t0=$SECONDS fresh=""
  [ "${1:-}" = "--fresh" ] && fresh=fresh
  [ -x "$BIN/gunicorn" ] && [ -x "$BIN/moto_server" ] || die "no gunicorn or moto_server in $BIN: run make install first"
  command -v redis-server >/dev/null && command -v haproxy >/dev/null \
    || die "redis-server or haproxy missing: run scripts/system-deps.sh (as root)"
  if [ -n "$fresh" ]; then
    down quiet
    rm -rf "$RUN/redis" "$RUN/instance" "$RUN/logs" "$RUN/beat-schedule"*
  fi
  mkdir -p "$RUN"
  write_env
  local db_state s3_before
  db_state=$(database $fresh)
  [ "$db_state" = created ] && say "database $CLUSTER_DB created"
  s3_before=$(pid_of s3)
  start redis
  start s3
  if [ -z "$s3_before" ] && [ "$db_state" = existing ]; then
    say "note: the S3 endpoint (moto) keeps files in memory, so the files this database names from before"
    say "      it last stopped (certificate PDFs, photos) are gone; scripts/cluster.sh up --fresh starts over"
  fi
  if [ -z "$(pid_of app-a)$(pid_of app-b)" ]; then  # no server runs yet: the schema and the demo first
    say "migrating $CLUSTER_DB and loading the demo if it is empty"
    (set -a && . "$RUN/env" && set +a && cd "$ROOT" && "$BIN/flask" db upgrade >>"$RUN/logs/migrate.log" 2>&1 \
      && "$BIN/flask" demo --if-empty >>"$RUN/logs/migrate.log" 2>&1) \
      || die "migration or demo failed; see $RUN/logs/migrate.log"
  fi
  start app-a
  start app-b
  start worker-1
  start worker-2
  start beat
  wait_log worker-1 "ready." 60
  wait_log worker-2 "ready." 60
  start balancer
  local i
  for i in $(seq 1 150); do
    healthy "http://127.0.0.1:$CLUSTER_PORT" && healthy "http://127.0.0.1:$APP_A_PORT" \
      && healthy "http://127.0.0.1:$APP_B_PORT" && break
    [ "$i" = 150 ] && die "/healthz does not answer through the balancer after 30 s (logs in $RUN/logs)"
    sleep 0.2
  done
  say "up in $((SECONDS - t0)) s: http://127.0.0.1:$CLUSTER_PORT (app servers :$APP_A_PORT :$APP_B_PORT," \
      "redis :$REDIS_PORT, S3 :$S3_PORT, database $CLUSTER_DB; logs in $RUN/logs)"
}

down() {
  local i
  for ((i = ${#SERVICES[@]} - 1; i >= 0; i--)); do stop "${SERVICES[$i]}"; done
  [ "${1:-}" = quiet ] || say "down (nothing of the cluster runs; data kept in $RUN and database $CLUSTER_DB)"
}

status() {
  local name pid port running=0
  for name in "${SERVICES[@]}"; do
    pid=$(pid_of "$name"); port=$(port_of "$name")
    if [ -n "$pid" ]; then
      running=$((running + 1)); printf '  %-9s running  pid %-7s %s\n' "$name" "$pid" "${port:+127.0.0.1:$port}"
    else
      printf '  %-9s stopped\n' "$name"
    fi
  done
  if [ "$running" -gt 0 ] && healthy "http://127.0.0.1:$CLUSTER_PORT"; then
    say "http://127.0.0.1:$CLUSTER_PORT/healthz answers"
  fi
  [ "$running" = "${#SERVICES[@]}" ]
}

case ${1:-} in
  up) up "${2:-}" ;;
  down) down ;;
  status) status ;;
  start) [ -n "${2:-}" ] || die "start NAME"; write_env; start "$2"
         case $2 in worker-*) wait_log "$2" "ready." 60 ;; esac ;;
  stop) [ -n "${2:-}" ] || die "stop NAME"; stop "$2" ;;
  env) echo "$RUN/env" ;;
  *) die "usage: scripts/cluster.sh up [--fresh] | down | status | start NAME | stop NAME | env" ;;
esac
