# Two commands for a newcomer: `make run` and `make test`. Python 3.11+ is all they need.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PACKAGES := -e shared -e services/org-registry -e services/demand-intake -e services/project-matching -e services/dual-registration

.PHONY: install run test bench schemas messages lock clean

$(STAMP): shared/pyproject.toml services/*/pyproject.toml requirements-test.txt requirements.lock
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11+ is required") if sys.version_info < (3, 11) else None'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet $(PACKAGES) -r requirements-test.txt -c requirements.lock
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

## Update the gettext catalogs (shared/yizhou/locale) after labels or problem titles change: the template from what
## the four services register, merged by pybabel; then translate the new (empty or fuzzy) entries of the .po.
messages: $(STAMP)
	$(BIN)/python -c 'import org_registry.app, demand_intake.app, project_matching.app, dual_registration.app; \
	from yizhou.labels import write_template; write_template("$(VENV)/yizhou.pot")'
	$(BIN)/pybabel update --no-wrap --ignore-obsolete -i $(VENV)/yizhou.pot -d shared/yizhou/locale -D yizhou -l zh_CN

## Re-resolve requirements.lock in a fresh virtualenv from the pins of the pyproject.toml files and requirements-test.txt.
lock:
	rm -rf $(VENV)-lock && $(PYTHON) -m venv $(VENV)-lock
	$(VENV)-lock/bin/python -m pip install --quiet --upgrade pip
	$(VENV)-lock/bin/python -m pip install --quiet $(PACKAGES) -r requirements-test.txt
	{ sed -n '1,2p' requirements.lock; $(VENV)-lock/bin/python -m pip freeze --exclude-editable; } > requirements.lock.new
	mv requirements.lock.new requirements.lock && rm -rf $(VENV)-lock

clean:
	rm -rf $(VENV) var
