# Two commands for a newcomer: `make run` and `make test`. Python 3.11+ is all they need.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PACKAGES := -e shared -e services/org-registry -e services/demand-intake -e services/project-matching -e services/dual-registration

.PHONY: install run test bench schemas clean

$(STAMP): shared/pyproject.toml services/*/pyproject.toml requirements-test.txt
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11+ is required") if sys.version_info < (3, 11) else None'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet $(PACKAGES) -r requirements-test.txt
	touch $(STAMP)

install: $(STAMP)

## Start the embedded broker, the four services and the demo district (ARGS="--real-size" for the real size).
run: $(STAMP)
	$(BIN)/yizhou run $(ARGS)

## The layer rules (.importlinter), then the whole suite; pytest's "no tests collected" (exit 5) counts as a failure.
test: $(STAMP)
	$(BIN)/lint-imports --no-cache
	@$(BIN)/python -m pytest $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing"; exit 1; fi; exit $$rc

## Benchmarks with ratios against baselines measured in the same run (ARGS="--quick" for a short run).
bench: $(STAMP)
	$(BIN)/python bench/run.py $(ARGS)

## Regenerate the checked-in JSON Schemas of every published event.
schemas: $(STAMP)
	$(BIN)/yizhou schemas

clean:
	rm -rf $(VENV) var
