# Meridian Map: every command sets up what it needs, once (again when pyproject.toml changes).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DATA   ?= data/meridians.yaml
APT_PACKAGES := chromium fonts-noto-cjk nginx
REPLICAS ?= 3
# make bench-load: the concurrent sessions of each measurement, and the clients (browser, socket or both)
SESSIONS ?= 10 30
CLIENT   ?= both
PORT     ?= 8600
# axe-core, for the accessibility checks of the browser tests (from npm; Debian's npm when none is there)
AXE := $(VENV)/npm/node_modules/axe-core/axe.min.js

.DEFAULT_GOAL := help
.PHONY: help run replicas test check bench bench-load screenshots schema vendor system-packages clean

help: ## list the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

$(AXE): | $(VENV)/.installed
	@command -v npm >/dev/null || { if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends npm; }
	npm install --silent --no-audit --no-fund --prefix $(VENV)/npm axe-core@4

system-packages: ## install Debian's chromium, CJK fonts and nginx when missing (needs root)
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing$$missing"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

run: $(VENV)/.installed ## start the app on $(DATA) (http://localhost:8501)
	MERIDIAN_MAP_DATA=$(DATA) $(BIN)/streamlit run app.py --browser.gatherUsageStats=false

replicas: $(VENV)/.installed system-packages ## $(REPLICAS) app processes behind nginx on http://127.0.0.1:$(PORT) (Ctrl-C stops all)
	MERIDIAN_MAP_DATA=$(DATA) $(BIN)/python deploy/replicas.py run --replicas $(REPLICAS) --port $(PORT)

check: $(VENV)/.installed-test ## lint, type-check and validate the content
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m meridian_map validate $(DATA)

test: $(VENV)/.installed-test $(AXE) system-packages check ## the whole suite: unit, app and browser tests
	$(BIN)/python -m pytest -q -n 2 --dist loadgroup --durations=15

bench: $(VENV)/.installed-test system-packages ## print speed figures (click latency, rerun time, bytes, cold start)
	$(BIN)/python bench/run.py

bench-load: $(VENV)/.installed-test system-packages ## a class at once: SESSIONS="10 30" concurrent sessions choosing areas (CLIENT=browser, socket or both)
	$(BIN)/python bench/load.py --sessions $(SESSIONS) --client $(CLIENT)

screenshots: $(VENV)/.installed-test system-packages ## refresh the README screenshots in assets/
	$(BIN)/python scripts/screenshots.py

schema: $(VENV)/.installed ## rewrite schema/meridians.schema.json from the model
	$(BIN)/python -m meridian_map schema > schema/meridians.schema.json

vendor: $(VENV)/.installed ## refresh Plotly's basic bundle in src/meridian_map/ui/assets/vendor/ (npm), at the installed plotly's plotly.js version
	version=$$($(BIN)/python -c 'from plotly.offline import get_plotlyjs_version as v; print(v())') && \
	tmp=$$(mktemp -d) && (cd $$tmp && npm pack --silent plotly.js-basic-dist-min@$$version && tar xzf *.tgz) && \
	cp $$tmp/package/plotly-basic.min.js src/meridian_map/ui/assets/vendor/plotly-basic.min.js && \
	cp $$tmp/package/LICENSE src/meridian_map/ui/assets/vendor/plotly-basic.LICENSE && rm -rf $$tmp

clean: ## remove the virtual environment and caches
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
