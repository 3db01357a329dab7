VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install demo test lint bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	$(PY) -m ipykernel install --user --name govsim --display-name "govsim" >/dev/null 2>&1 || true
	touch $(STAMP)

demo: install
	$(VENV)/bin/govsim run scenarios/baseline.yaml --reps 5 --seed 1 --out results/baseline --force
	@echo
	@echo "Results:  results/baseline/  (cases.parquet, summary.csv, capacity.csv, streets.csv, departments.csv, backlog.csv, manifest.json)"
	@echo "Figures:  results/baseline/figures/"

test: install
	$(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check sim tests benchmarks

bench: install
	$(PY) benchmarks/bench.py
	$(PY) benchmarks/cli_startup.py

clean:
	rm -rf $(VENV) results .pytest_cache .hypothesis
