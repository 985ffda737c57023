# Two commands do all set-up on a fresh machine (Python >= 3.11):
#   make demo   - create .venv, install chanjiao with every extra (requirements.lock),
#                 load the sample college, write reports
#   make test   - create .venv, install chanjiao with test tools (and, via apt, Chromium
#                 and CJK fonts for the browser tests), run the test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench clean lock

# Every extra (server, neo4j, plan) and the test tools, at the versions of requirements.lock.
$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit("chanjiao needs Python >= 3.11" if sys.version_info < (3, 11) else 0)'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e ".[dev]"
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/chanjiao demo

test: $(STAMP)
	bash scripts/system-deps.sh
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) chanjiao-demo

# Re-pin requirements.lock after changing pyproject.toml: a fresh venv, then pip freeze.
lock:
	rm -rf .lock-venv
	$(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet --upgrade pip
	.lock-venv/bin/python -m pip install --quiet -e ".[dev]"
	( echo "# chanjiao[dev] (every extra + test tools), exact versions; make lock writes it"; \
	  .lock-venv/bin/python -m pip freeze --exclude-editable ) > requirements.lock
	rm -rf .lock-venv
