# Two commands on a fresh machine: `make build` and `make test`.

# The interpreter for .venv: the distribution's own Python 3.11+ when there is one, as
# Debian and Ubuntu build it with profile-guided and link-time optimization, which pyenv
# and source builds leave out by default (here, Debian's python3.11 against pyenv's
# 3.11.7: a serial cold build of 1,000 bulletins used 17 % less CPU, six alternating
# pairs; ingest parsed 20 % faster). Else python3 from PATH. `make PYTHON=...` chooses
# another; an existing .venv keeps its own (delete it to switch). Asked only when .venv
# is made (`=`, not `:=`), not on every make.
DISTRO_PYTHON ?= /usr/bin/python3
USABLE_DISTRO_PYTHON = $(shell $(DISTRO_PYTHON) -c 'import sys, ensurepip; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && echo $(DISTRO_PYTHON))
PYTHON ?= $(or $(USABLE_DISTRO_PYTHON),python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: build test serve lint format bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(STAMP)

build: $(STAMP)
	$(BIN)/bulletin build

serve: $(STAMP)
	$(BIN)/bulletin serve

# The HTML validator comes from npm (vnu-jar); node_modules is git-ignored.
node_modules/vnu-jar/build/dist/vnu.jar:
	npm install --no-save --no-audit --no-fund vnu-jar@26 >/dev/null

test: $(STAMP) node_modules/vnu-jar/build/dist/vnu.jar
	$(BIN)/ruff check generator tests benchmarks
	$(BIN)/ruff format --check generator tests benchmarks
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check generator tests benchmarks

format: $(STAMP)
	$(BIN)/ruff format generator tests benchmarks
	$(BIN)/ruff check --fix generator tests benchmarks

# Options go in BENCH, e.g. make bench BENCH="--bulletins 200 --repeat 1".
bench: $(STAMP)
	$(BIN)/python -m pip install -q -e '.[test,bench]'
	$(BIN)/python -m benchmarks $(BENCH)

clean:
	rm -rf _site .bulletin-cache
