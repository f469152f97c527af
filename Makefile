# Set-up, demo and tests. `make demo` and `make test` are all a fresh machine needs.
VENV := .venv
BIN := $(VENV)/bin
PYTHON ?= python3
# Debian packages the project needs; installed with apt-get when a tool is missing.
# hunspell-de-de: the German dictionary search splits compounds with (read, not copied: GPL).
APT_PACKAGES := ffmpeg espeak-ng tesseract-ocr tesseract-ocr-deu tesseract-ocr-eng \
	chromium fonts-dejavu-core redis-server postgresql hunspell-de-de
HUNSPELL_DE := /usr/share/hunspell/de_DE.dic
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: faults setup system venv demo test lint bench clean

setup: system venv

system:
	@missing=""; \
	for tool in ffmpeg ffprobe espeak-ng tesseract chromium redis-server; do \
	  command -v $$tool >/dev/null 2>&1 || missing="$$missing $$tool"; done; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	tesseract --list-langs 2>/dev/null | grep -qx deu || missing="$$missing tesseract-ocr-deu"; \
	[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing="$$missing fonts-dejavu"; \
	[ -f $(HUNSPELL_DE) ] || missing="$$missing hunspell-de-de"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing system packages (missing:$$missing)"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(APT_PACKAGES) >/dev/null; \
	fi
	@[ -f $(HUNSPELL_DE) ] || { echo "Error: $(HUNSPELL_DE) is missing: search needs the" \
	  "German Hunspell dictionary to split compounds. Install it: apt-get install hunspell-de-de"; \
	  exit 1; }

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt -e '.[dev]'
	$(BIN)/mediaarchive models install
	$(BIN)/mediaarchive models install resemblyzer
	touch $@

demo: setup
	$(BIN)/mediaarchive --home demo-archive demo

test: setup
	$(BIN)/python -m pytest

# Fault injection apart (also part of `make test`): kill -9 at 30 seeded moments, a full
# disk (a tmpfs when root), parser fuzz. Under 5 minutes with its 3-5 s clips.
faults: setup
	$(BIN)/python -m pytest -m faults -s

# The layers (import-linter contracts in pyproject.toml), lint, format and no test that
# asserts nothing (tests/lint_tests.py); CI runs it first.
lint: venv
	$(BIN)/lint-imports
	$(BIN)/ruff check mediaarchive tests benchmarks
	$(BIN)/ruff format --check mediaarchive tests benchmarks
	$(BIN)/python -m tests.lint_tests

bench: setup
	for b in benchmarks/*.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) demo-archive .pytest_cache .cache
