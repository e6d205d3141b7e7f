# Lắng Nghe: `make run` serves the demo, `make test` runs the whole suite. Both bootstrap first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export FLASK_APP := wsgi.py
# pytest-xdist workers: one more than the cores, since tests also wait on PostgreSQL and Chromium.
TEST_WORKERS ?= $(shell $(PYTHON) -c "import os; print((os.cpu_count() or 1) + 1)")

# The W3C Nu HTML checker the browser tests run (version pinned in tests/browser/html_check.py).
VNU_VERSION := $(shell sed -n 's/^VNU_VERSION = "\(.*\)"/\1/p' tests/browser/html_check.py)
VNU_CACHE   := $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/lang-nghe/vnu-$(VNU_VERSION)
VNU_JAR     := $(VNU_CACHE)/node_modules/vnu-jar/build/dist/vnu.jar

.PHONY: all run test install translations translate-update migrate demo lint bench clean html-checker

# The development targets ask for development explicitly (the app refuses the published
# development key otherwise); a value already set in the environment wins.
run migrate demo translate-update: export APP_ENV ?= development

all: translations  ## plain `make`: install and compile the catalogs

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

html-checker: $(VNU_JAR)  ## the HTML checker for the browser tests (needs npm; Java to run it)

$(VNU_JAR):
	@if command -v npm >/dev/null; then \
	  npm install --silent --no-audit --no-fund --prefix "$(VNU_CACHE)" vnu-jar@$(VNU_VERSION); \
	else echo "npm not found: the browser tests will skip the HTML check"; fi

translations: $(STAMP)  ## compile the vi and en catalogs
	$(BIN)/pybabel -q compile -d translations

translate-update: $(STAMP)  ## extract strings and merge them into the catalogs
	$(BIN)/flask translate update

migrate: install translations
	mkdir -p instance
	$(BIN)/flask db upgrade

demo: migrate
	$(BIN)/flask seed-demo --if-empty

run: demo  ## serve the demo on http://127.0.0.1:5000 (SQLite)
	$(BIN)/flask run --host 127.0.0.1 --port 5000

test: install translations html-checker lint  ## lint, then the whole suite (PostgreSQL too when TEST_DATABASE_URL is set)
	$(BIN)/python -m pytest -n $(TEST_WORKERS)

lint: install  ## ruff, the layer contract of pyproject.toml, function sizes and copied code
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/python tools/check_code.py

bench: install translations  ## page weights, the dashboards over 1,000,000 responses, survey submissions and the sign-up burst under gunicorn (PostgreSQL, minutes)
	$(BIN)/python bench/page_weight.py
	$(BIN)/python bench/browser_weight.py
	$(BIN)/python bench/dashboard.py
	$(BIN)/python bench/slow_phone.py
	$(BIN)/python bench/submissions.py
	$(BIN)/python bench/ratings.py
	$(BIN)/python bench/signup_burst.py

clean:
	rm -rf $(VENV) instance/*.db .pytest_cache .ruff_cache
