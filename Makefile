# Every target that needs the virtualenv depends on $(STAMP): it is (re)built only when missing or when
# pyproject.toml or the lock changed, so `make test` on a warm checkout starts at once.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
PIP    := $(PY) -m pip --quiet --disable-pip-version-check
# The exact versions installed: requirements/dev.lock (runtime + dev + the pandas extra), refreshed by
# `make lock` from pyproject.toml's ranges; requirements/runtime.lock is what the wheel needs at run time.
LOCK   := requirements/dev.lock
UV     := uv==0.13.9
UV_COMPILE := $(VENV)/bin/uv pip compile pyproject.toml --universal --python-version 3.11 --quiet \
              --custom-compile-command "make lock"

.PHONY: install lock demo test wheel-check sandbox lint bench fuzz clean messages

install: $(STAMP)

# uv installs the lock (measured on a fresh clone, 2 cores: pip 42 s, uv a few seconds): make test's 3 minutes
# include building the virtualenv.
$(STAMP): pyproject.toml $(LOCK)
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install $(UV)
	$(VENV)/bin/uv pip install --quiet --python $(PY) -r $(LOCK)
	$(VENV)/bin/uv pip install --quiet --python $(PY) --no-deps -e .
	@touch $(STAMP)

# Re-resolve both locks from pyproject.toml's ranges (newest versions that fit, for every platform and Python
# >= 3.11); `make lock UPGRADE=` keeps the versions already locked where they still fit.
UPGRADE ?= --upgrade
LOCK_PLATFORMS := x86_64-manylinux_2_28 aarch64-manylinux_2_28 aarch64-apple-darwin x86_64-pc-windows-msvc
lock: $(STAMP)
	$(UV_COMPILE) $(UPGRADE) -c requirements/constraints.txt --extra dev --extra pandas -o requirements/dev.lock
	$(UV_COMPILE) $(UPGRADE) -c requirements/constraints.txt -o requirements/runtime.lock
	@# Every locked version has a wheel for these platforms and Pythons (see requirements/constraints.txt).
	@for platform in $(LOCK_PLATFORMS); do for version in 3.11 3.12 3.13; do \
	    $(VENV)/bin/uv pip compile $(LOCK) --no-deps --only-binary :all: --python-platform $$platform \
	        --python-version $$version --quiet -o /dev/null || exit 1; done; done

demo: $(STAMP)
	$(PY) scripts/demo.py

# The suite mostly waits (sandboxes, subprocesses, settle and backoff pauses), so it runs in TEST_WORKERS
# pytest-xdist workers, several per core; the tests marked slow are collected first so they start at once
# (tests/conftest.py). --dist worksteal: an idle worker takes tests still queued on a busy one; with the
# default `load`, tests are handed out in advance and one worker was left running ~40 end-to-end tests alone
# for the last 2 of 3.5 minutes (measured: 3m22s with load, 2m01s with worksteal, same machine).
# Bytecode is written even where PYTHONDONTWRITEBYTECODE is set: every worker would otherwise rewrite and
# compile all the test modules, and every importer subprocess recompile the package.
TEST_WORKERS ?= 8
test: $(STAMP)
	PYTHONDONTWRITEBYTECODE= $(PY) -m pytest -q -n $(TEST_WORKERS) --dist worksteal

# Build the sdist and wheel, install the wheel (dependencies from requirements/runtime.lock) into a fresh
# virtualenv, and run it from outside the checkout: `importer --version`, `python -m importer --help`, a dry
# run of the sample and an import of it into the installed sandbox. .ci/run calls it after `make test`.
wheel-check: $(STAMP)
	$(PY) scripts/wheel_check.py

# The message catalogs (importer/i18n/locales): extract the msgids from the source into importer.pot and update each
# language's importer.po (new messages arrive untranslated; tests/i18n fails until they are translated). No compile
# step: a checkout compiles the .po in memory on first use, the wheel gets .mo files from setup.py.
messages: $(STAMP)
	$(PY) scripts/messages.py

sandbox: $(STAMP)
	$(VENV)/bin/importer sandbox --account-file sample_data/account.toml

lint: $(STAMP)
	$(VENV)/bin/ruff check importer tests scripts bench sample_data fuzz
	$(VENV)/bin/ruff format --check importer tests scripts bench sample_data fuzz

bench: $(STAMP)
	$(PY) bench/run.py

# The fuzz targets of tests/e2e/test_fuzz.py, for longer than `make test` gives them (FUZZ_SECONDS=600 make fuzz).
fuzz: $(STAMP)
	$(PY) fuzz/run_fuzz.py --seconds $${FUZZ_SECONDS:-120}

clean:
	rm -rf $(VENV) demo-output .pytest_cache .ruff_cache build dist
