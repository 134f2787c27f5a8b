# The two commands of the README: `make run` and `make test`.
PORT ?= 8000
export PORT

.PHONY: run test setup setup-test lint check bench backup restore

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

# the database and the stored files into var/backups/<time>/ (see agency/backup.py)
backup: setup
	.venv/bin/python manage.py backup

# make restore FROM=var/backups/20261203-101500 (replaces the database and the files)
restore: setup
	.venv/bin/python manage.py restore "$(FROM)" --yes
