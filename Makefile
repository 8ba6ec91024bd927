# fairapp: `make run` serves the demo, `make test` runs the whole suite (SQLite, then PostgreSQL).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
PG_URL ?= postgresql+psycopg://fairapp:fairapp@127.0.0.1:5432/fairapp_test
export FLASK_APP := fairapp

PO := $(wildcard fairapp/translations/*/LC_MESSAGES/messages.po)
MO := $(PO:.po=.mo)

.PHONY: run test test-sqlite test-postgres install db demo translations extract bench clean

install: $(BIN)/.installed $(MO)

$(BIN)/.installed: pyproject.toml
	scripts/system-deps.sh --build-only
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

%.mo: %.po $(BIN)/.installed
	$(BIN)/pybabel compile -f -i $< -o $@ >/dev/null

db: install
	$(BIN)/flask db upgrade

# BASE_URL: the demo's certificate QR codes and mail links name the address `make run` serves.
demo: db
	BASE_URL=$${BASE_URL:-http://127.0.0.1:$(PORT)} $(BIN)/flask demo --if-empty

# Plain HTTP on loopback, so the session cookie may not carry the Secure flag here.
run: demo
	SESSION_COOKIE_SECURE=0 BASE_URL=$${BASE_URL:-http://127.0.0.1:$(PORT)} $(BIN)/flask run --host 127.0.0.1 --port $(PORT)

test: install
	scripts/system-deps.sh
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres

test-sqlite: install
	env -u DATABASE_URL $(BIN)/pytest

test-postgres: install
	DATABASE_URL=$(PG_URL) $(BIN)/pytest

# Refresh the message catalog after adding strings: make extract, translate, commit.
extract: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k _n:1,2 -o fairapp/translations/messages.pot . >/dev/null
	$(BIN)/pybabel update -N --ignore-obsolete -i fairapp/translations/messages.pot -d fairapp/translations

bench: install
	for b in pages booths judging certificates; do $(BIN)/python benchmarks/$$b.py || exit 1; done

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache
