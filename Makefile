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

.PHONY: install run serve test screenshots clean audit bench bench-quick

install: $(VENV)/.installed $(VENDOR)/.installed $(TRANSLATIONS)/en/LC_MESSAGES/messages.mo

$(VENV)/.installed: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
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
$(TRANSLATIONS)/en/LC_MESSAGES/messages.mo: $(TRANSLATIONS)/en/LC_MESSAGES/messages.po $(VENV)/.installed
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
# it; both stop with make, and the worker stops when gunicorn does.
WORKERS ?= 4
serve: install
	export APP_PRODUCTION=1 && $(FLASK) db upgrade && $(FLASK) deploy && \
	{ trap 'kill $$worker $$server 2>/dev/null; wait' EXIT; trap 'exit 130' INT; trap 'exit 143' TERM; \
	  $(FLASK) worker & worker=$$!; \
	  $(BIN)/gunicorn --workers $(WORKERS) --bind $(HOST):$(PORT) --access-logfile - \
	    --access-logformat '%(h)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s" %({x-request-id}o)s' \
	    'app:create_app()' & server=$$!; \
	  wait $$server; }

# SQLite always; PostgreSQL too when TEST_DATABASE_URL is set.
test: install
	env -u TEST_DATABASE_URL $(BIN)/python -m pytest
	if [ -n "$$TEST_DATABASE_URL" ]; then $(BIN)/python -m pytest; fi

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

# Known vulnerabilities of the installed packages (pip-audit); exit 2 when it could not check.
audit: install
	bash .ci/audit

clean:
	rm -rf $(VENV) node_modules $(VENDOR) $(REFERENCE)
