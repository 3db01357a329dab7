"""``govsim check SCENARIO``: validate, summarise, and show every pool's offered load.

``check`` refuses exactly what ``run`` refuses about a scenario (the same loading, limits and
memory estimate), so a scenario ``check`` calls valid runs. It also prints the size estimate
of one replication and the warnings ``run`` would print.
"""

from __future__ import annotations

import argparse
import sys

WARN_LOAD = 0.95


def register(sub) -> None:
    from sim.cli.helptext import command_parser

    p = command_parser(sub, "check", help="validate a scenario and show offered loads",
                       description="Validate SCENARIO; print a summary and the offered load of "
                                   "every staff pool (warning at >= 0.95).",
                       examples_=("govsim check scenarios/baseline.yaml",
                                  "govsim check scenarios/whistle.yaml --set "
                                  "departments.housing.staff=12"))
    p.add_argument("scenario", help="scenario YAML file")
    from sim.cli.args import add_override_args

    add_override_args(p)
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from sim.model.load import offered_loads
    from sim.scenario.loader import load_scenario
    from sim.scenario.size import available_memory, describe, estimate, preflight
    from sim.scenario.units import format_duration

    memory = available_memory()
    s = load_scenario(args.scenario, args.overrides, memory_available=memory)
    warnings = preflight(s, args.scenario, memory_available=memory)
    sim_ = s.simulation
    grids = sum(st.grids for st in s.streets.values())
    w, k = s.reform.whistle, s.reform.sinking
    print(f"{s.name}: valid")
    if s.description:
        print(f"  {s.description.strip().splitlines()[0]}")
    print(f"  horizon {format_duration(sim_.horizon)}, warm-up {format_duration(sim_.warmup)}, "
          f"drain limit {format_duration(sim_.drain_limit)}")
    print(f"  {len(s.streets)} streets, {grids} grids, {len(s.departments)} departments "
          f"({sum(d.staff for d in s.departments.values() if d.staff < 10**9)} staff), "
          f"{len(s.case_types)} case types")
    per_day = sum(ct.rate * grids for ct in s.case_types.values())
    print(f"  expected occurrences: {per_day:,.1f} per day")
    print(f"  {describe(estimate(s))}")
    print(f"  whistle-and-report: {'on' if w.enabled else 'off'}; resource sinking: "
          f"{'on' if k.enabled else 'off'}")
    loads = offered_loads(s)
    # The estimate sends a street's cases to its team; with `overflow: central` the excess goes
    # to the central pool instead, so a busy team is not a queue that never settles.
    spills = k.enabled and k.overflow == "central"

    def flag(p) -> str:
        if p.load < WARN_LOAD:
            return ""
        if spills and p.kind in ("stationed", "centre"):
            return "  (busy: the excess overflows to the central pool)"
        # On-call people are the central pool's own (their night hours are given back as rest),
        # so they add no capacity: the office's load is the whole story.
        return f"  WARNING: >= {WARN_LOAD}, this queue may never settle"

    warned = [p for p in loads if flag(p).startswith("  WARNING")]
    print("  offered load per pool (work per open hour / staff):")
    kinds = {}
    for p in loads:
        kinds.setdefault(p.kind, []).append(p)
    for kind, pools in kinds.items():
        shown = pools if kind in ("central", "on_call") or len(pools) <= 4 else \
            sorted(pools, key=lambda p: -p.load)[:3]
        for p in shown:
            print(f"    {p.pool:<32} {kind:<10} staff {p.staff:>4}  load {p.load:6.2f}{flag(p)}")
        if len(shown) < len(pools):
            print(f"    ... {len(pools) - len(shown)} more {kind} pools "
                  f"(max load shown; lowest {min(x.load for x in pools):.2f})")
    if warned:
        print(f"warning: {len(warned)} pool(s) with offered load >= {WARN_LOAD}: "
              + ", ".join(p.pool for p in warned[:8]))
    for line in warnings:
        print(line, file=sys.stderr)
    return 0
