#!/usr/bin/env bash
# `make test`: the SQLite and the PostgreSQL runs side by side (two pytest processes: on two cores the
# whole suite takes about the time of the longer one), then the cluster tests. The SQLite run prints as it
# goes; the PostgreSQL run's output follows it whole. Fails if any run fails.
set -uo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT
make --no-print-directory test-postgres > "$log" 2>&1 &
postgres=$!
make --no-print-directory test-sqlite
sqlite=$?
wait "$postgres"
pg=$?
echo "=== PostgreSQL run (exit $pg)"
cat "$log"
if [ "$sqlite" -ne 0 ] || [ "$pg" -ne 0 ]; then
  echo "make test: SQLite run exit $sqlite, PostgreSQL run exit $pg" >&2
  exit 1
fi
make --no-print-directory test-cluster
