# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
LB     := $(BIN)/lapor-bridge
MODEL  ?= instance/models/current
I18N   := lapor_bridge/translations

.PHONY: run test install lint format clean translations federation-demo

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

## Set up, migrate, seed the demo region, train the starter model if none, then serve
## http://127.0.0.1:5000 with the worker and the bundled LAPOR! simulator (:8500) alongside.
run: $(STAMP)
	$(LB) init-db
	$(LB) seed-demo --history 6
	@test -f $(MODEL)/manifest.json || $(LB) classifier train-starter --out $(MODEL)
	$(LB) demo --host 127.0.0.1 --port 5000

## Federation on loopback: a province (http://127.0.0.1:5100/dasbor/, koordinator.jateng)
## and two member kab/kota (:5101, :5102) pushing to it every 10 s, until Ctrl-C.
## Rebuilt from scratch under instance/federation-demo/ at every run.
federation-demo: $(STAMP)
	$(LB) federation demo --model-dir $(MODEL)

## Set up and run the whole test suite (SQLite and PostgreSQL).
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .

## Refresh the English catalogue: extract the Indonesian msgids (babel.cfg), merge them
## into the .po (new ones untranslated: fill them in), compile the .mo. Commit both.
translations: $(STAMP)
	pot=$$(mktemp) && \
	$(BIN)/pybabel extract -F babel.cfg -k Message --no-location --sort-output \
		--project lapor-bridge -o $$pot . && \
	$(BIN)/pybabel update -i $$pot -d $(I18N) --no-fuzzy-matching --ignore-obsolete && \
	rm -f $$pot
	$(BIN)/pybabel compile -d $(I18N) --statistics

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
