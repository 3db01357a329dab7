"""``govsim city CITY_FILE``: a whole city, one independent simulation per district.

Writes ``DIR/cases.parquet/district=<name>/part-<replication>.parquet`` (a partitioned dataset,
one part per district and replication, each written by the worker that simulated it),
``DIR/summary.csv`` (city-wide and per district, per case type and ALL), ``DIR/pools.csv``,
``DIR/manifest.json`` and ``DIR/figures/``. The summary and figures are computed from the
dataset one district at a time (see ``sim.city.aggregate``).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from sim.cli import flags


def register(sub) -> None:
    from sim.cli.helptext import command_parser

    p = command_parser(
        sub, "city", help="run a whole city (districts in parallel, partitioned cases.parquet)",
        description="Simulate every district of a city file (e.g. scenarios/beijing_city.yaml) "
                    "as an independent simulation, in parallel, writing a partitioned "
                    "cases.parquet dataset; then summarise it partition by partition.",
        examples_=("govsim city scenarios/beijing_city.yaml --reps 1 --workers 2",
                   "govsim city scenarios/beijing_city.yaml --set reform.whistle.enabled=true "
                   "--out results/beijing-whistle"))
    p.add_argument("city", help="city file (a scenario with a 'city' block)")
    p.add_argument("--reps", type=flags.replications, default=1,
                   help="replications per district (default 1)")
    p.add_argument("--seed", type=flags.seed, default=1, help="root seed (default 1)")
    p.add_argument("--out", default=None, help="output folder (default results/<city name>)")
    p.add_argument("--force", action="store_true", help="replace an existing result")
    p.add_argument("--backend", choices=("serial", "processes", "dask"), default="processes",
                   help="where districts run (default processes)")
    p.add_argument("--workers", type=flags.workers, default=None,
                   help="parallel workers (default: cores)")
    p.add_argument("--scheduler", type=flags.address, default=None,
                   help="address of an existing Dask scheduler (needs --backend dask)")
    p.add_argument("--confidence", type=flags.level, default=0.95,
                   help="CI level, between 0 and 1 (default 0.95)")
    p.add_argument("--no-figures", action="store_true", help="skip the figures")
    from sim.cli.args import add_figure_args

    add_figure_args(p)
    p.add_argument("--quiet", action="store_true", help="no progress lines")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override a value of every district, e.g. --set reform.whistle.enabled=true"
                        " (or of the city block: --set city.cases_per_year=1e6)")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from sim.city.aggregate import CITY, QUANTILE_REL_ERROR, summarise_city
    from sim.city.run import run_city
    from sim.city.spec import load_city
    from sim.cli.text import summary_lines
    from sim.experiment.files import atomic_csv
    from sim.experiment.manifest import provenance, write_manifest
    from sim.experiment.runner import pool_summary
    from sim.scenario.paths import safe_component

    city = load_city(args.city, args.overrides)
    out = Path(args.out) if args.out else Path("results") / safe_component(city.name)
    expected = city.expected_cases()
    total = sum(expected.values())
    if not args.quiet:
        print(f"{city.name}: {len(city.districts)} districts, {city.spec.streets} streets, "
              f"~{total:,.0f} cases per replication; {args.reps} replication(s) on "
              f"{args.backend}", file=sys.stderr)
    started = time.perf_counter()

    def progress(res: dict) -> None:
        if not args.quiet:
            print(f"  {res['district']:>12s} rep {res['replication']}: {res['cases']:>9,} cases "
                  f"in {res['wall_s']:6.1f} s ({res['cpu_s']:.1f} s CPU), "
                  f"peak {res['peak_rss_mb']:,.0f} MB",
                  file=sys.stderr)

    record = run_city(city, out, args.seed, args.reps, args.backend, args.workers,
                      args.scheduler, args.force, progress)
    simulated = time.perf_counter() - started
    result = summarise_city(out, args.confidence)
    atomic_csv(result.summary, out / "summary.csv")
    atomic_csv(pool_summary(record.pop("pools"), by="district"), out / "pools.csv")
    if not args.no_figures:
        from sim.analysis.labels import labels_of
        from sim.city.figures import city_figures
        from sim.cli.args import figure_options

        city_figures(result, out / "figures", city.name,
                     labels=labels_of(city.districts.values()), options=figure_options(args))
    cases = int(sum(t["cases"] for t in record["tasks"]))
    manifest = {
        "city": city.name, "city_file": str(args.city), "overrides": args.overrides,
        "seed": args.seed, "replications": args.reps, "confidence": args.confidence,
        "districts": {n: {"streets": len(s.streets), "expected_cases": expected[n],
                          "seed": record["district_seeds"][n],
                          "folder": f"district={safe_component(n)}"}
                      for n, s in city.districts.items()},
        "district_seed_rule": "blake2b('<seed>/<district>'), 63 bits; streams as in govsim run",
        "quantiles": f"city-wide from merged log histograms (within {QUANTILE_REL_ERROR:.2%} of "
                     "exact); per district exact",
        **provenance(["govsim", *sys.argv[1:]], args.backend, args.workers),
        "timings": {"simulate_wall_s": simulated,
                    "total_wall_s": time.perf_counter() - started,
                    "cases_computed": cases,
                    "task_cpu_s": sum(t.get("cpu_s", 0.0) for t in record["tasks"]),
                    "tasks": record["tasks"],
                    "reused": record["reused"],
                    "max_worker_peak_rss_mb": max((t["peak_rss_mb"] for t in record["tasks"]),
                                                  default=None)},
    }
    write_manifest(out, manifest)
    s = result.summary
    print(f"{city.name}: {cases:,} cases simulated in {simulated:.1f} s "
          f"({len(record['reused'])} parts reused); city-wide, "
          f"{int(args.confidence * 100)}% CI half-widths after ±")
    for line in summary_lines(s[s["scope"] == CITY]):
        print("  " + line)
    print(f"results: {out}/ (cases.parquet/district=*/, summary.csv, pools.csv, manifest.json)")
    return 0
