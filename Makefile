# foulplay — two commands: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TRAIN_STAMP := $(VENV)/.installed-train
PIP    := $(BIN)/python -m pip --disable-pip-version-check

.PHONY: run test install install-train torch system-deps lint bench clean

run: install
	$(BIN)/foulplay grade --problems examples/problems.jsonl --completions examples/completions.jsonl --double-run --format text || test $$? -eq 1
	@echo
	@echo "Static detection of the same completions (exit status 1 means hacks were found, as expected here):"
	$(BIN)/foulplay scan examples/completions.jsonl --problems examples/problems.jsonl || test $$? -eq 1
	@echo
	@echo "What an agent did to a repository: a Claude Code session and a diff (both tamper with tests):"
	$(BIN)/foulplay scan examples/agent_session.jsonl || test $$? -eq 1
	$(BIN)/foulplay scan examples/tampering.diff || test $$? -eq 1
	@echo
	@echo "Hack rates per step of a (constructed) RL run's rollout dump, audited by grading and scanning:"
	$(BIN)/foulplay rollouts stats examples/rl_run --bin 2 || test $$? -eq 1
	@echo
	@echo "How well static detection generalises: the blind held-out half of the detector benchmark (4 items per generator):"
	$(BIN)/foulplay bench --split heldout --per 4 --no-real --no-speed
	@echo
	@echo "The six-eval misalignment suite, rehearsed offline by foulplay/dry-run (a scripted alignment-faker; DRY RUN, not a measurement):"
	$(BIN)/foulplay eval suite --model foulplay/dry-run -M persona=alignment-faker --judge foulplay/dry-run --limit 2 --epochs 1 --log-dir logs/dry-run || test $$? -eq 1
	@echo
	@echo
	@echo "Is this training run learning to cheat, and turning misaligned? An audit of a (constructed) run: every rollout graded and scanned again, hack rate per step with its onset, misalignment per checkpoint, the chat-like vs agentic warning (exit status 1: it learned to hack):"
	$(BIN)/foulplay audit run examples/run_folder -o out/audit-run --fresh || test $$? -eq 1
	@echo "The audit's report: out/audit-run/report.html (summary: out/audit-run/summary.md)"

test: install-train
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

install: $(STAMP)

$(STAMP): pyproject.toml
	@$(MAKE) --no-print-directory system-deps
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet -e '.[dev,report,scout]'
	@touch $(STAMP)

# The training extra (TRL and PyTorch) for the trainer tests. PyTorch from, in order: a wheel already in
# pip's find-links (no download), PyTorch's CPU index (about 200 MB), PyPI (a CUDA build, several GB).
install-train: $(TRAIN_STAMP)

$(TRAIN_STAMP): $(STAMP)
	@$(MAKE) --no-print-directory torch
	$(PIP) install --quiet -e '.[dev,report,scout,train,ray]'
	@touch $(TRAIN_STAMP)

torch:
	@$(BIN)/python -c 'import torch' 2>/dev/null || \
	  $(PIP) install --quiet --no-index --no-deps torch 2>/dev/null || \
	  $(PIP) install --quiet --timeout 20 --retries 0 --index-url https://download.pytorch.org/whl/cpu torch \
	    2>/dev/null || \
	  $(PIP) install --quiet torch

# bubblewrap gives the sandbox its strongest isolation level; without it foulplay falls back to
# resource limits and says so on every verdict. chromium renders the HTML report for the screenshot tests.
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
	@if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then \
	  :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing Debian package chromium (headless screenshots of the HTML report in the tests)"; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null 2>&1 || \
	  { DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null 2>&1 && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null 2>&1; } || \
	  echo "warning: could not install chromium; the report screenshot tests will be skipped"; \
	else \
	  echo "note: chromium is not installed; the report screenshot tests will be skipped"; \
	fi

lint: install
	$(BIN)/ruff check .

bench: install
	$(BIN)/python benchmarks/grading.py
	$(BIN)/python benchmarks/detection.py --dynamic --record
	$(BIN)/foulplay rules --format markdown > docs/rules.md

clean:
	rm -rf $(VENV) build src/*.egg-info
