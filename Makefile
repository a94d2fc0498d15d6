# commandwall — the two commands a newcomer needs:
#   make run    set up what is missing, then start the client against the embedded exercise backend
#   make test   set up what is missing, then run ruff and the whole test suite
#   make i18n   re-extract the translation catalogues (resources/i18n/*.ts) after changing visible strings
#   make lock   re-resolve requirements.lock after editing pyproject.toml (make lock-upgrade: newest versions)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
WEB := resources/web
# the exercise district's offline base map, rendered at set-up from layers/ (git-ignored, ~11 s, ~6 MB)
BASEMAP := resources/basemaps/xuecheng.mbtiles
# the exercise cameras' H.264/H.265 10 s loops, encoded at set-up (git-ignored, ~16 s, ~3 MB)
CLIPS := resources/clips/manifest.json
# the English translation, compiled at set-up from the committed catalogues resources/i18n/*.ts (git-ignored)
QM := resources/i18n/commandwall_en.qm
# Every Python package, hash-pinned; pyproject.toml's ranges (and requirements-build.in) are the source.
# Resolved for Python 3.11 and 3.12 on every OS (markers pick per interpreter); uv itself is pinned in it.
LOCK := requirements.lock
LOCK_CMD = $(BIN)/uv pip compile pyproject.toml requirements-build.in --extra test --extra package \
	--universal --python-version 3.11 --generate-hashes --custom-compile-command 'make lock' --quiet -o $(LOCK)

.PHONY: run test setup system-deps lint layers basemap clips i18n i18n-check package clean screenshot bench lock lock-upgrade lock-check

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

setup: system-deps $(VENV)/.installed $(WEB)/node_modules/.installed $(BASEMAP) $(CLIPS) $(QM)

system-deps:
	@scripts/system-deps.sh

$(VENV)/.installed: pyproject.toml $(LOCK)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install -q --no-deps --no-build-isolation -e .
	$(BIN)/python -m pip check || { echo "requirements.lock lacks what pyproject.toml asks for: make lock"; exit 1; }
	@touch $@

lock: $(VENV)/.installed
	$(LOCK_CMD)

lock-upgrade: $(VENV)/.installed
	$(LOCK_CMD) --upgrade

# CI: the committed lock is what `make lock` makes of pyproject.toml now (nothing added, dropped or re-ranged)
lock-check: $(VENV)/.installed
	@cp $(LOCK) $(VENV)/lock-check.txt
	$(subst -o $(LOCK),-o $(VENV)/lock-check.txt,$(LOCK_CMD))
	@diff -u $(LOCK) $(VENV)/lock-check.txt || { echo "requirements.lock is out of date: make lock"; exit 1; }

$(WEB)/node_modules/.installed: $(WEB)/package.json $(WEB)/package-lock.json
	cd $(WEB) && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

layers: $(VENV)/.installed
	$(BIN)/python scripts/make_layers.py

$(BASEMAP): scripts/make_basemap.py layers/manifest.json $(wildcard layers/*.geojson) $(VENV)/.installed
	$(BIN)/python scripts/make_basemap.py --out $@

basemap: $(BASEMAP)

$(CLIPS): scripts/make_clips.py commandwall/demo/media.py $(VENV)/.installed
	$(BIN)/python scripts/make_clips.py --out $(@D)

clips: $(CLIPS)

# Catalogues: commandwall_ui_en.ts (commandwall/ui, cli.py, config.py) and commandwall_core_en.ts (the rest of
# commandwall/ and the map page's scripts), both extracted by pyside6-lupdate and compiled into one .qm.
i18n: $(VENV)/.installed
	$(BIN)/python scripts/i18n.py update
	$(BIN)/python scripts/i18n.py release

i18n-check: $(VENV)/.installed
	$(BIN)/python scripts/i18n.py check

$(QM): scripts/i18n.py $(wildcard resources/i18n/*.ts) $(VENV)/.installed
	$(BIN)/python scripts/i18n.py release

package: setup
	$(BIN)/python packaging/build.py

bench: setup
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) $(WEB)/node_modules build dist out .pytest_cache .ruff_cache resources/basemaps resources/clips $(QM)
