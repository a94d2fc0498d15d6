# commandwall — the two commands a newcomer needs:
#   make run    set up what is missing, then start the client against the embedded exercise backend
#   make test   set up what is missing, then run ruff and the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
WEB := resources/web

.PHONY: run test setup system-deps lint layers package clean screenshot bench

run: setup
	@if [ -z "$$DISPLAY$$WAYLAND_DISPLAY" ]; then \
	  echo "no display: starting on a virtual one (xvfb-run); use 'make screenshot' to see it"; \
	  xvfb-run -a -s "-screen 0 1920x1080x24" $(BIN)/commandwall; \
	else $(BIN)/commandwall; fi

test: setup
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

screenshot: setup
	@if [ -z "$$DISPLAY$$WAYLAND_DISPLAY" ]; then \
	  xvfb-run -a -s "-screen 0 1920x1080x24" $(BIN)/commandwall screenshot --out out/screens --after 10; \
	else $(BIN)/commandwall screenshot --out out/screens --after 10; fi

setup: system-deps $(VENV)/.installed $(WEB)/node_modules/.installed

system-deps:
	@scripts/system-deps.sh

$(VENV)/.installed: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	@touch $@

$(WEB)/node_modules/.installed: $(WEB)/package.json $(WEB)/package-lock.json
	cd $(WEB) && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

layers: $(VENV)/.installed
	$(BIN)/python scripts/make_layers.py

$(VENV)/.package-installed: $(VENV)/.installed
	$(BIN)/python -m pip install -q -e '.[test,package]'
	@touch $@

package: setup $(VENV)/.package-installed
	$(BIN)/python packaging/build.py

bench: setup
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) $(WEB)/node_modules build dist out .pytest_cache .ruff_cache
