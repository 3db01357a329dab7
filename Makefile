VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install demo test lint bench notebook screenshots clean

install: $(STAMP)

$(STAMP): pyproject.toml Makefile
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	# The notebooks' kernel "govsim", registered inside this clone's venv (not for the whole
	# account, where two clones would overwrite each other's): Jupyter run from the venv finds it.
	$(PY) -m ipykernel install --sys-prefix --name govsim --display-name "govsim" >/dev/null
	touch $(STAMP)

# JupyterLab on the notebooks (installs the `notebook` extra on first use; not part of `make test`).
notebook: install
	$(PY) -m pip install --quiet -e '.[dev,notebook]'
	$(VENV)/bin/jupyter lab experiments/

demo: install
	$(VENV)/bin/govsim run scenarios/baseline.yaml --reps 5 --seed 1 --out results/baseline --force
	@echo
	@echo "Results:  results/baseline/  (cases.parquet, steps.parquet, summary.csv, capacity.csv, streets.csv, departments.csv, backlog.csv, manifest.json)"
	@echo "Figures:  results/baseline/figures/"

test: install
	$(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check sim tests benchmarks

bench: install
	$(PY) benchmarks/bench.py
	$(PY) benchmarks/cli_startup.py

# The report of a small four-scenario comparison, drawn by headless Chromium (PNGs to look at,
# and the page height). Short runs (--set): the page, not the numbers, is what is looked at.
screenshots: install
	$(VENV)/bin/govsim compare scenarios/baseline.yaml scenarios/whistle.yaml scenarios/sinking.yaml \
	    scenarios/combined.yaml --reps 3 --seed 1 --out results/demo-compare --force --quiet \
	    --set simulation.horizon=28d --set simulation.warmup=7d
	$(VENV)/bin/govsim report results/demo-compare
	$(PY) benchmarks/report_screenshots.py results/demo-compare/report.html --out results/screenshots

clean:
	rm -rf $(VENV) results .pytest_cache .hypothesis
