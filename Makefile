# foulplay — two commands: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test install system-deps lint bench clean

run: install
	$(BIN)/foulplay grade --problems examples/problems.jsonl --completions examples/completions.jsonl --double-run --format text
	@echo
	@echo "Static detection of the same completions (exit status 1 means hacks were found, as expected here):"
	$(BIN)/foulplay scan examples/completions.jsonl --problems examples/problems.jsonl || test $$? -eq 1
	@echo
	@echo "What an agent did to a repository: a Claude Code session and a diff (both tamper with tests):"
	$(BIN)/foulplay scan examples/agent_session.jsonl || test $$? -eq 1
	$(BIN)/foulplay scan examples/tampering.diff || test $$? -eq 1

test: install
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

install: $(STAMP)

$(STAMP): pyproject.toml
	@$(MAKE) --no-print-directory system-deps
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

# bubblewrap gives the sandbox its strongest isolation level; without it foulplay falls back to
# resource limits and says so on every verdict.
system-deps:
	@if command -v bwrap >/dev/null 2>&1; then \
	  :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing Debian package bubblewrap (sandbox isolation)"; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q bubblewrap >/dev/null 2>&1 || \
	  { DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null 2>&1 && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -q bubblewrap >/dev/null 2>&1; } || \
	  echo "warning: could not install bubblewrap; the sandbox will use rlimit isolation"; \
	else \
	  echo "note: bubblewrap (bwrap) is not installed and this is not a root shell with apt;"; \
	  echo "      the sandbox will use rlimit isolation. Install 'bubblewrap' for namespaces."; \
	fi

lint: install
	$(BIN)/ruff check .

bench: install
	$(BIN)/python benchmarks/grading.py
	$(BIN)/python benchmarks/detection.py

clean:
	rm -rf $(VENV) build src/*.egg-info
