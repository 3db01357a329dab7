"""``govsim sweep SCENARIO --vary a.b=v1,v2,…``: a full factorial on common random numbers."""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

from sim.scenario.errors import Problem, ScenarioError

MAX_POINTS = 10_000
"""Points of a sweep's factorial: each is a full run of --reps replications."""


def register(sub) -> None:
    from sim.cli.helptext import command_parser

    p = command_parser(
        sub, "sweep", help="run a scenario over a grid of parameter values",
        description="Run SCENARIO at every combination of the --vary values (full factorial; "
                    "every point with the same seed, i.e. common random numbers). Writes "
                    "sweep.csv, figures/ (one plot per metric with CI bands), manifest.json "
                    "and points/<id>/ run folders to --out (default results/sweep-<name>/).",
        examples_=("govsim sweep scenarios/sinking.yaml --vary "
                   "reform.sinking.fraction=0,0.25,0.5 --reps 5",
                   "govsim sweep scenarios/baseline.yaml --vary departments.housing.staff=20,27,34 "
                   "--vary departments.traffic.staff=12,18 --backend processes"))
    p.add_argument("scenario", help="scenario YAML file")
    p.add_argument("--vary", action="append", required=True, metavar="KEY=V1,V2,...",
                   help="a key and its values, e.g. --vary reform.sinking.fraction=0,0.25,0.5 "
                        "(repeat for a factorial; the first is the x axis of the figures)")
    from sim.cli.args import add_run_args

    add_run_args(p)
    p.add_argument("--no-figures", action="store_true", help="skip the figures")
    from sim.cli.args import add_figure_args

    add_figure_args(p)
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from sim.analysis.summary import ALL
    from sim.cli.args import figure_options, load_for_run
    from sim.cli.text import fmt
    from sim.experiment.sweep import (
        _short_keys,
        factorial,
        parse_vary,
        point_scenario,
        run_sweep,
    )
    from sim.scenario.paths import safe_component
    from sim.scenario.size import available_memory, preflight

    vary: dict[str, list] = {}
    for text in args.vary:
        key, values = parse_vary(text)
        if key in vary:
            raise ScenarioError([Problem("--vary", key, "given twice")])
        vary[key] = values
    count = math.prod(len(v) for v in vary.values())
    if count > MAX_POINTS:
        sizes = " x ".join(str(len(v)) for v in vary.values())
        raise ScenarioError([Problem("--vary", "", f"{sizes} values = {count:,} points, more "
                                                   f"than {MAX_POINTS:,}")])
    base = load_for_run(args, args.scenario)
    memory = available_memory()
    points = factorial(vary)
    warnings: set[str] = set()
    for point in points:  # each point is checked like a scenario file before anything runs
        warnings.update(preflight(point_scenario(base, point), "--vary", args.reps * len(points),
                                  args.workers, args.backend, args.scheduler, memory))
    for line in sorted(warnings):
        print(line, file=sys.stderr)
    out = Path(args.out) if args.out else Path("results") / safe_component(f"sweep-{base.name}")
    res = run_sweep(base, vary, args.reps, args.seed, out, backend=args.backend,
                    workers=args.workers, scheduler=args.scheduler, force=args.force,
                    quiet=args.quiet, confidence=args.confidence,
                    command=["govsim", *sys.argv[1:]], figures=not args.no_figures,
                    figure_options=figure_options(args))
    computed = sum(len(r.computed) for r in res.results)
    reused = sum(len(r.reused) for r in res.results)
    print(f"sweep {base.name}: {len(res.points)} points x {args.reps} replications, seed "
          f"{args.seed}, common random numbers ({computed} computed, {reused} reused, "
          f"{res.wall_s:.1f} s); {args.confidence:.0%} CI half-widths after ±")
    keys = list(vary)
    table = res.table[res.table["case_type"] == ALL]
    wide = table.pivot_table(index="point", columns="metric", values=["value", "value_hw"],
                             aggfunc="first", sort=False, dropna=False)
    short = _short_keys(keys)
    header = [short[k] for k in keys] + ["within deadline", "mean h", "p90 h", "p95 h"]
    rows = [header]
    for pid, point in zip(res.ids, res.points, strict=True):
        v, hw = wide.loc[pid, "value"], wide.loc[pid, "value_hw"]
        rows.append([str(point[k]) for k in keys] + [
            fmt(v["deadline_met_share"], hw["deadline_met_share"], pct=True),
            fmt(v["mean_h"], hw["mean_h"]), fmt(v["p90_h"], hw["p90_h"]),
            fmt(v["p95_h"], hw["p95_h"])])
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    for r in rows:
        print("  " + "  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)))
    print(f"results: {out}/ (sweep.csv, per_replication.csv, manifest.json, points/)")
    if not args.no_figures:
        print(f"figures: {out}/figures/")
    return 0
