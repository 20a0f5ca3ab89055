# Every target that needs the virtualenv depends on $(STAMP): it is (re)built only when missing or when
# pyproject.toml changed, so `make test` on a warm checkout starts at once.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: install demo test sandbox lint bench fuzz clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

demo: $(STAMP)
	$(PY) scripts/demo.py

test: $(STAMP)
	$(PY) -m pytest -q

sandbox: $(STAMP)
	$(VENV)/bin/importer sandbox --account-file sample_data/account.toml

lint: $(STAMP)
	$(VENV)/bin/ruff check importer tests scripts bench sample_data fuzz
	$(VENV)/bin/ruff format --check importer tests scripts bench sample_data fuzz

bench: $(STAMP)
	$(PY) bench/run.py

# The fuzz targets of tests/test_fuzz.py, for longer than `make test` gives them (FUZZ_SECONDS=600 make fuzz).
fuzz: $(STAMP)
	$(PY) fuzz/run_fuzz.py --seconds $${FUZZ_SECONDS:-120}

clean:
	rm -rf $(VENV) demo-output .pytest_cache .ruff_cache
