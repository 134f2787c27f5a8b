# The two commands of the README: `make run` and `make test`.
PORT ?= 8000
export PORT

.PHONY: run test setup setup-test lint check bench

run: setup
	bash scripts/run.sh

test: setup-test
	bash scripts/with-services.sh bash scripts/test.sh

setup:
	bash scripts/bootstrap.sh run

setup-test:
	bash scripts/bootstrap.sh test

lint: setup
	.venv/bin/ruff check .
	.venv/bin/mypy

bench: setup-test
	bash scripts/with-services.sh bash scripts/bench.sh
