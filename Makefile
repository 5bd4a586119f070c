# Penyebarluasan Data — make run, make test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
HOST ?= 127.0.0.1
PORT ?= 5000
VENDOR := app/static/vendor
# Kemendagri region codes (idn-area-data, npm), read by the app to check region columns.
REFERENCE := app/reference/idn-area-data
TRANSLATIONS := app/translations
# Python packages are installed from hash-pinned lock files made from setup.cfg (make lock):
# main.lock for the application, test.lock for the application with the test extras.
LOCKS := requirements
# pip-tools (make lock) and pip-audit (make audit) have a venv of their own, apart from the app's.
TOOLS := .venv-tools

.PHONY: install install-main run serve lint test test-fast screenshots clean audit bench bench-quick lock lock-upgrade tools

# Development and CI: the application with its test extras.
install: $(VENV)/.installed-test $(VENDOR)/.installed $(TRANSLATIONS)/en/LC_MESSAGES/messages.mo

# Production (make serve): the application without the test extras.
install-main: $(VENV)/.installed-main $(VENDOR)/.installed $(TRANSLATIONS)/en/LC_MESSAGES/messages.mo

# Every package comes from a lock file and is checked against its hashes; the project itself is
# installed without dependencies, so pip resolves nothing beyond the locks. test.lock holds
# main.lock's pins unchanged plus the test extras, so the test install is the production install
# with the test extras added to the same .venv, and a changed lock installs again. make serve on a
# machine where make install made .venv uses it as it is, test extras included (the app never
# imports them); a production machine runs only make serve and never gets them.
$(VENV)/.installed-main: $(LOCKS)/main.lock setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r $(LOCKS)/main.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed-main $(LOCKS)/test.lock
	$(BIN)/pip install --quiet --require-hashes -r $(LOCKS)/test.lock
	$(BIN)/pip check
	touch $@

# The lock files, made from setup.cfg's ranges (the source of truth) by pip-tools, for CPython 3.11
# on Linux: main.lock from install_requires, test.lock from install_requires and the test extra
# with main.lock as a constraint (so the packages they share have the same pins), tools.lock from
# requirements/tools.in. A pin is kept while setup.cfg still allows it. `make lock-upgrade` takes
# the newest releases allowed; `make lock UPGRADE='NAME ...'` those of the named packages, each
# passed to pip-compile (-P) only for a lock that pins it already: else -P would add it there.
PIP_COMPILE = CUSTOM_COMPILE_COMMAND='make lock' $(TOOLS)/bin/pip-compile --quiet --generate-hashes \
	--allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links
upgrade = $(if $(LOCK_ARGS),$(LOCK_ARGS) )$(if $(UPGRADE),$$(for name in $(UPGRADE); do \
	grep -qi "^$$name==" $(1) && printf -- '-P %s ' $$name; done))
lock: $(TOOLS)/.installed
	$(PIP_COMPILE) $(call upgrade,$(LOCKS)/main.lock)-o $(LOCKS)/main.lock setup.cfg
	$(PIP_COMPILE) $(call upgrade,$(LOCKS)/test.lock)--extra test -c $(LOCKS)/main.lock -o $(LOCKS)/test.lock setup.cfg
	$(PIP_COMPILE) $(call upgrade,$(LOCKS)/tools.lock)-o $(LOCKS)/tools.lock $(LOCKS)/tools.in

lock-upgrade: LOCK_ARGS = --upgrade
lock-upgrade: lock

tools: $(TOOLS)/.installed

$(TOOLS)/.installed: $(LOCKS)/tools.lock
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --require-hashes -r $(LOCKS)/tools.lock
	touch $@

# Front-end assets come from the npm registry at setup and are served by the app.
$(VENDOR)/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)/bootstrap $(VENDOR)/bpmn-js
	cp node_modules/bootstrap/dist/css/bootstrap.min.css $(VENDOR)/bootstrap/
	cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js $(VENDOR)/bootstrap/
	cp node_modules/bpmn-js/dist/bpmn-navigated-viewer.production.min.js $(VENDOR)/bpmn-js/
	cp node_modules/bpmn-js/dist/bpmn-modeler.production.min.js $(VENDOR)/bpmn-js/
	cp -r node_modules/bpmn-js/dist/assets/. $(VENDOR)/bpmn-js/
	mkdir -p $(REFERENCE)
	cp node_modules/idn-area-data/data/regencies.csv node_modules/idn-area-data/data/districts.csv \
	   node_modules/idn-area-data/data/villages.csv node_modules/idn-area-data/data/LICENSE.md $(REFERENCE)/
	touch $@

# English translations of the screens (Bahasa Indonesia is the source language).
$(TRANSLATIONS)/en/LC_MESSAGES/messages.mo: $(TRANSLATIONS)/en/LC_MESSAGES/messages.po $(VENV)/.installed-main
	$(BIN)/pybabel compile --statistics -d $(TRANSLATIONS)

# The background worker (due-time notices, e-mail) runs beside the server and stops with it.
run: install
	$(FLASK) db upgrade
	$(FLASK) deploy
	$(FLASK) seed-demo
	$(FLASK) worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(FLASK) run --host $(HOST) --port $(PORT)

# Production (APP_PRODUCTION=1): APP_SECRET_KEY and APP_DATABASE_URL must be set. gunicorn with
# $(WORKERS) workers (access log on stdout, with the request id) and the background worker beside
# it; both stop with make, and the worker stops when gunicorn does. It installs the application
# without the test extras (install-main: requirements/main.lock).
WORKERS ?= 4
serve: install-main
	export APP_PRODUCTION=1 && $(FLASK) db upgrade && $(FLASK) deploy && \
	{ trap 'kill $$worker $$server 2>/dev/null; wait' EXIT; trap 'exit 130' INT; trap 'exit 143' TERM; \
	  $(FLASK) worker & worker=$$!; \
	  $(BIN)/gunicorn --workers $(WORKERS) --bind $(HOST):$(PORT) --access-logfile - \
	    --access-logformat '%(h)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s" %({x-request-id}o)s' \
	    'app:create_app()' & server=$$!; \
	  wait $$server; }

# The code's shape: ruff's rules (pyproject.toml) and the import contracts (setup.cfg: the engine
# behind its door, domains standing on those below, no cycles, the request only in screens).
lint: install
	$(BIN)/ruff check app tests bench migrations
	$(BIN)/lint-imports

# SQLite always; PostgreSQL too when TEST_DATABASE_URL is set.
test: lint
	env -u TEST_DATABASE_URL $(BIN)/python -m pytest
	if [ -n "$$TEST_DATABASE_URL" ]; then $(BIN)/python -m pytest; fi

# While working: SQLite only, without the browser and stress tests and without the tests marked
# slow (more than a few seconds each); make test runs them all, and the linters first.
test-fast: install
	env -u TEST_DATABASE_URL $(BIN)/python -m pytest -m "not slow and not browser" --ignore=tests/browser --ignore=tests/stress

# The README's screenshots, made by the browser tests.
screenshots: install
	UPDATE_SCREENSHOTS=1 $(BIN)/python -m pytest tests/browser -k screenshots

# Benchmarks (bench/run.py): figures printed and written to bench/RESULTS.md with the machine's
# description. `make bench` is the whole run (inbox up to 100k instances, about 3 minutes), on
# SQLite and, when BENCH_POSTGRES names a reachable server, on PostgreSQL in a scratch database.
BENCH_POSTGRES ?= postgresql+psycopg://postgres@127.0.0.1:5432/postgres
BENCH_ARGS = $$(pg_isready -q -d '$(subst +psycopg,,$(BENCH_POSTGRES))' 2>/dev/null && echo --postgres '$(BENCH_POSTGRES)')
bench: install
	$(BIN)/python bench/run.py --big $(BENCH_ARGS)

bench-quick: install
	$(BIN)/python bench/run.py --quick $(BENCH_ARGS)

# Known vulnerabilities of the locked packages (pip-audit); exit 2 when it could not check.
audit: tools
	bash .ci/audit

clean:
	rm -rf $(VENV) $(TOOLS) node_modules $(VENDOR) $(REFERENCE)
