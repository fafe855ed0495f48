# The verbs a person types. `make run` and `make test` do all set-up on a fresh clone.
PYTHON ?= python3
VENV ?= .venv
HOST ?= 127.0.0.1
PORT ?= 5000
WORKERS ?= 2
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app gallery

# `make wheel-check`: the wheel, built from a clean copy of HEAD, installs into a fresh venv
# and serves / (scripts/wheel-check; CI runs it).
.PHONY: run dev check test test-db lint bench docs wheel-check install install-test browser fonts messages translations clean-venv

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall when the dependency list changes.  The extra [faces] (OpenCV) is part of what
# `make run` and `make test` install, so a fresh clone has face suggestions.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[faces]'
	touch $@

# The tests also run the PostgreSQL and S3 stores: their extras come with them.
$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test,faces,postgres,s3]'
	touch $@

$(VENV)/.installed-bench: pyproject.toml $(VENV)/.installed-test
	$(BIN)/python -m pip install --quiet -e '.[test,faces,postgres,s3,bench]'
	touch $@

$(VENV)/.installed-docs: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[docs]'
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

run: $(VENV)/.installed translations fonts
	@$(BIN)/python scripts/port-free $(HOST) $(PORT)
	$(FLASK) db upgrade
	$(FLASK) seed-demo --if-empty
	$(FLASK) create-demo-moderator
	@echo "Art Protest gallery: http://$(HOST):$(PORT)/"
	$(if $(ONION_PORT),ONION_PORT=$(ONION_PORT)) \
	$(BIN)/gunicorn --config python:gallery.gunicorn_conf --workers $(WORKERS) \
		--bind $(HOST):$(PORT) $(if $(ONION_PORT),--bind 127.0.0.1:$(ONION_PORT)) 'gallery:create_app()'

dev: $(VENV)/.installed translations fonts
	$(FLASK) db upgrade
	$(FLASK) seed-demo --if-empty
	$(FLASK) create-demo-moderator
	@echo "Art Protest gallery (debug server): http://$(HOST):$(PORT)/"
	$(FLASK) run --debug --host $(HOST) --port $(PORT)

browser:
	@scripts/ensure-browser
	@scripts/ensure-node-tools

fonts:
	@scripts/ensure-fonts

# The tests, by folder (tests/unit, app, system, browser; the folder gives the marker).
# `make check`: the fast tier for development (unit and app, in parallel).
# `make test`: everything; the browser tests last and serially, as they share one live
# server and one Chromium. `make test-db`: the database tier alone (CI runs it again on
# PostgreSQL with TEST_DATABASE_URL set). PYTEST_ARGS adds to each run (a
# run that PYTEST_ARGS leaves empty, exit code 5, is not a failure).
PYTEST := $(BIN)/python -m pytest
XDIST ?= -n auto

check: $(VENV)/.installed-test fonts translations
	$(PYTEST) -m "not system and not browser" $(XDIST) $(PYTEST_ARGS)

test: $(VENV)/.installed-test browser fonts translations
	$(PYTEST) -m "not browser" $(XDIST) $(PYTEST_ARGS) || [ $$? -eq 5 ]
	$(PYTEST) -m browser $(PYTEST_ARGS) || [ $$? -eq 5 ]

test-db: $(VENV)/.installed-test fonts translations
	$(PYTEST) -m db $(XDIST) $(PYTEST_ARGS)

# The code's shape: ruff's formatter and linter (isort included), then the layers.
lint: $(VENV)/.installed-test
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/lint-imports

# The documentation site (mkdocs.yml, docs/) into site/, git-ignored; any warning fails it.
docs: $(VENV)/.installed-docs
	$(BIN)/python scripts/package-table --check
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --site-dir site

bench: $(VENV)/.installed-bench translations fonts
	@scripts/ensure-wrk
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)

wheel-check: $(VENV)/.installed
	$(BIN)/python scripts/wheel-check

# Translations: gallery/translations/<lang>/LC_MESSAGES/messages.po are kept in git; the
# compiled .mo files are built here (by run, dev and test) whenever a .po is newer.
CATALOGUES := $(wildcard gallery/translations/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGUES:.po=.mo)

translations: $(COMPILED)

gallery/translations/%/LC_MESSAGES/messages.mo: gallery/translations/%/LC_MESSAGES/messages.po | $(VENV)/.installed
	$(BIN)/pybabel compile -d gallery/translations -l $* --statistics

# Extract every translatable string into the template, then merge it into each catalogue
# (new strings arrive untranslated; the test suite fails until they are translated).
messages: $(VENV)/.installed
	mkdir -p gallery/translations
	$(BIN)/pybabel extract -F babel.cfg -k _l -k N_ -k lazy_ngettext:1,2 \
		--no-location --sort-output -o gallery/translations/messages.pot .
	for lang in fr ru; do \
		if [ -f gallery/translations/$$lang/LC_MESSAGES/messages.po ]; then \
			$(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete -i gallery/translations/messages.pot \
				-d gallery/translations -l $$lang; \
		else \
			$(BIN)/pybabel init -i gallery/translations/messages.pot -d gallery/translations -l $$lang; \
		fi; \
	done
