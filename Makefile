# fairapp: `make run` serves the demo, `make test` runs the whole suite (SQLite, then PostgreSQL).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
PG_URL ?= postgresql+psycopg://fairapp:fairapp@127.0.0.1:5432/fairapp_test
export FLASK_APP := fairapp

PO := $(wildcard fairapp/translations/*/LC_MESSAGES/messages.po)
MO := $(PO:.po=.mo)

.PHONY: run test test-sqlite test-postgres test-cluster cluster cluster-down cluster-status install install-app db demo translations extract bench clean

# install: the app and the test tools (make test). make run needs only install-app: Playwright and
# the other test tools are half of what a fresh install downloads (about 57 of 119 MB).
install: $(BIN)/.installed-test $(MO)
install-app: $(BIN)/.installed $(MO)

# Every dependency comes as a wheel (PyICU too, as pyicu-wheels): nothing is compiled, no apt-get.
# --prefer-binary: never build a release whose wheels are not uploaded yet; take the previous one.
# pip is upgraded only if older than 22 (Debian 12's venv brings 23.0). A venv made before the
# switch to pyicu-wheels loses the source-built pyicu first: both install the `icu` package.
PIP_INSTALL := $(BIN)/python -m pip install -q --prefer-binary
$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -c 'import pip, sys; sys.exit(int(pip.__version__.split(".")[0]) < 22)' \
	  || $(BIN)/python -m pip install -q --upgrade pip
	if ls -d $(VENV)/lib/python3*/site-packages/pyicu-*.dist-info >/dev/null 2>&1; then \
	  $(BIN)/python -m pip uninstall -q -y pyicu; fi
	$(PIP_INSTALL) -e .
	touch $@

$(BIN)/.installed-test: $(BIN)/.installed
	$(PIP_INSTALL) -e '.[test]'
	touch $@

%.mo: %.po $(BIN)/.installed
	$(BIN)/pybabel compile -f -i $< -o $@ >/dev/null

db: install-app
	$(BIN)/flask db upgrade

# BASE_URL: the demo's certificate QR codes and mail links name the address `make run` serves.
demo: db
	BASE_URL=$${BASE_URL:-http://127.0.0.1:$(PORT)} $(BIN)/flask demo --if-empty

# Plain HTTP on loopback, so the session cookie may not carry the Secure flag here.
run: demo
	SESSION_COOKIE_SECURE=0 BASE_URL=$${BASE_URL:-http://127.0.0.1:$(PORT)} $(BIN)/flask run --host 127.0.0.1 --port $(PORT)

test: install
	scripts/system-deps.sh
	scripts/test-all.sh

test-sqlite: install
	env -u DATABASE_URL $(BIN)/pytest --durations=15

test-postgres: install
	DATABASE_URL=$(PG_URL) $(BIN)/pytest --durations=15

# The local cluster (scripts/cluster.sh; README, "Cluster"): PostgreSQL, Redis, an S3 endpoint, two app
# servers behind haproxy at http://127.0.0.1:$(CLUSTER_PORT), two Celery workers and beat.
CLUSTER_PORT ?= 8080
export CLUSTER_PORT
cluster: install  # moto (the S3 endpoint) comes with the test tools
	scripts/system-deps.sh
	scripts/cluster.sh up

cluster-down:
	scripts/cluster.sh down

cluster-status:
	scripts/cluster.sh status

# The cluster tests run against a cluster of their own (other ports, folder and database, fresh each
# time), so a developer's `make cluster` is left as it is; it is stopped even when a test fails.
# Short waits for the fault tests: the sweep re-sends a mail no job took after 15 s, not 2 min
# (MAIL_SWEEP_AFTER); a killed worker's task comes back from Redis after 20 s, not 5 min
# (CELERY_VISIBILITY_TIMEOUT), and its print chunk may be taken again after 15 s, not 2 min
# (CERTIFICATE_CHUNK_LEASE); beat runs the sweeps every 10 s, not every minute (SWEEP_EVERY).
TEST_CLUSTER := CLUSTER_PORT=8180 CLUSTER_DIR=instance/cluster-test CLUSTER_DB=fairapp_cluster_test MAIL_SWEEP_AFTER=15 \
  CELERY_VISIBILITY_TIMEOUT=20 CERTIFICATE_CHUNK_LEASE=15 SWEEP_EVERY=10
test-cluster: install
	$(TEST_CLUSTER) scripts/cluster.sh up --fresh \
	  && $(TEST_CLUSTER) FAIRAPP_CLUSTER_URL=http://127.0.0.1:8180 $(BIN)/pytest tests/cluster; \
	  status=$$?; $(TEST_CLUSTER) scripts/cluster.sh down; exit $$status

# Refresh the message catalog after adding strings: make extract, translate, commit.
extract: install-app
	$(BIN)/pybabel extract -F babel.cfg -k _l -k _n:1,2 -o fairapp/translations/messages.pot . >/dev/null
	$(BIN)/pybabel update -N --ignore-obsolete -i fairapp/translations/messages.pot -d fairapp/translations

bench: install-app
	for b in pages booths judging certificates verify; do $(BIN)/python benchmarks/$$b.py || exit 1; done

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache
