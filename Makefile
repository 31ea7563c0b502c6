# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench clean messages

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/nrc-bot

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/test_layout.py

bench: $(STAMP)
	$(BIN)/python -m bench --profile $(BENCH_ARGS)

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache

# The catalogues: extract every message id, then bring fr and ru up to date with it
# (new ids untranslated, gone ids dropped); a translator then fills locale/*/nrc.po.
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _ -k ngettext:1,2 -k N_ --add-location=file \
		--sort-by-file --project=nrc-bot -o locale/nrc.pot .
	$(BIN)/pybabel update -i locale/nrc.pot -d locale -D nrc --no-fuzzy-matching \
		--ignore-obsolete
