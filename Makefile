# Two commands matter: `make serve` (check the content, then serve the handbook)
# and `make test` (the whole test suite). Both create .venv on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | cksum | cut -d' ' -f1)
export NO_MKDOCS_2_WARNING := 1

.PHONY: serve check build test bench keep-sample clean lock

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "smm needs Python 3.11 or newer")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	@# pip compiles the libraries it installs, not an editable install's source: compile smm's
	@# modules too, or where PYTHONDONTWRITEBYTECODE is set every run compiles them again
	$(BIN)/python -m compileall -q scripts
	@rm -f $(VENV)/.installed-* && touch $@

check: $(STAMP)
	$(BIN)/smm check

serve: check
	$(BIN)/mkdocs serve

build: check
	$(BIN)/mkdocs build --strict

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python -m benchmarks.run

# Before replacing the sample brand with your own content: keep it for the tests.
keep-sample:
	@test ! -e tests/fixtures/sample || (echo "tests/fixtures/sample exists already" && exit 1)
	mkdir -p tests/fixtures/sample
	cp -R content personas strategy media tests/fixtures/sample/
	@echo "kept the sample in tests/fixtures/sample; the tests use it from now on"

clean:
	rm -rf site .pytest_cache .hypothesis

# Pin the newest releases pyproject.toml allows: a clean venv aside, installed without the pins.
lock:
	rm -rf $(VENV)-lock && $(PYTHON) -m venv $(VENV)-lock
	$(VENV)-lock/bin/python -m pip install --quiet --upgrade pip
	$(VENV)-lock/bin/python -m pip install --quiet '.[test]'
	{ sed -n '/^#/p' constraints.txt; $(VENV)-lock/bin/python -m pip freeze --exclude smm; } > constraints.txt.new
	mv constraints.txt.new constraints.txt && rm -rf $(VENV)-lock
