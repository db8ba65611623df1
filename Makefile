# regwatch: `make run` runs the demo, `make test` runs the suite. Both create .venv first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: install run test test-fast test-faults test-integration eval corpus train bench soak lint clean

install: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@# The pip a venv starts with (23.x on Python 3.11) warns that lxml lacks the extra jusText asks for,
	@# a false alarm newer pip (PEP 685 names) does not raise.
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade "pip>=25"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	@# setuptools warns that an editable install could prefer same-named folders in the working directory:
	@# here those folders are the packages themselves, so the warning says nothing to act on.
	PYTHONWARNINGS=ignore::UserWarning $(BIN)/python -m pip install --quiet --disable-pip-version-check \
		--no-deps --no-build-isolation -e .
	@rm -f $(VENV)/.installed-* && touch $@

run: $(STAMP)
	$(BIN)/regwatch demo

# Two test processes (pytest-xdist): most slow tests wait on child processes and servers, so two overlap well
# on 2 cores. TEST_WORKERS=0 runs the suite in one process.
TEST_WORKERS ?= 2

test: $(STAMP)
	$(BIN)/pytest -q -m "not soak" -n $(TEST_WORKERS)

# The edit-test loop: unit tests only (no flows, fault injection or Prefect server), under a minute.
test-fast: $(STAMP)
	$(BIN)/pytest -q -m "not slow"

test-faults: $(STAMP)
	$(BIN)/pytest -q -m faults

test-integration: $(STAMP)
	$(BIN)/pytest -q -m integration

REAL_TEXTS ?= $(HOME)/.cache/regwatch/real-corpus/texts

# Our own labelled texts, then the real-text corpus when its texts are cached (tests/data/real/README.md).
eval: $(STAMP)
	$(BIN)/regwatch eval
	@if ls "$(REAL_TEXTS)"/*.txt >/dev/null 2>&1; then echo; $(BIN)/regwatch eval --real "$(REAL_TEXTS)"; \
	else echo; echo "real-text corpus: no texts in $(REAL_TEXTS) (\`make corpus\` fetches them; see tests/data/real/README.md)"; fi

# The real-text corpus's texts, fetched from the publishers' own pages into REAL_TEXTS (needs the internet).
corpus: $(STAMP)
	$(BIN)/regwatch fetch-corpus "$(REAL_TEXTS)"

# The policy-shift second opinion, learned from our labelled texts and the real corpus's fit half
# (evaluation/policy_training.py): writes tasks/classify/models/policy_shift.npz.
train: $(STAMP)
	$(BIN)/python -m evaluation.policy_training --real "$(REAL_TEXTS)"

bench: $(STAMP)
	$(BIN)/python -m bench.run

# Whole-process monitoring cycles back to back against changing feeds, outages and Slack 429s (bench/soak.py).
# Every cycle has news, so each is a flow run: about 9 CPU-seconds and 8 s on 2 cores, and 300 take about 40
# minutes: 70 is what fits in 15 (README, Reliability). make soak SOAK_CYCLES=300 runs the 300 (at most 400).
SOAK_CYCLES ?= 70

soak: $(STAMP)
	$(BIN)/pytest -q -m soak
	$(BIN)/python -m bench.soak --cycles $(SOAK_CYCLES) --json data/soak.json --markdown bench/SOAK.md

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
