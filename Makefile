# `make flow` sets itself up on first use, then runs the whole flow on flow.yaml.
# `make test` runs the test suite (what CI runs).
FLOW ?= flow.yaml
PYTEST_ARGS ?=

.PHONY: setup flow test lint bench clean

setup:
	@bash scripts/setup.sh

flow: setup
	.venv/bin/sgdr-flow run $(FLOW)

test: setup
	.venv/bin/python -m pytest $(PYTEST_ARGS)

lint: setup
	.venv/bin/ruff check .

bench: setup
	.venv/bin/python benchmarks/run.py

clean:
	rm -rf build
