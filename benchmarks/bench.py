"""The speed benchmark (``make bench``): overhead over bare SimPy, cases per second, cost growth,
and peak memory per million cases. Prints a table and writes ``benchmarks/results.json``.

What is measured (issue 6; speed is measured in a benchmark, never in a timed test):

(a) **Overhead over bare SimPy.** One network, M/M/2 -> M/M/3 -> M/M/1 in series (arrivals
    1.5 per hour; service rates 1.0, 0.7 and 2.0 per hour; always open; no travel, paperwork,
    triage or bounces), run twice in this process: as a govsim scenario (``tandem_scenario``,
    through ``run_replication``: building the world, drawing the cases, running, writing the
    case table) and as a minimal hand-written SimPy model (``bare_simpy``: generators and
    ``simpy.Resource``; arrivals and service times drawn with numpy in advance, the same
    advantage govsim gets). ``overhead_ratio`` is govsim's seconds per case divided by SimPy's.
(b) **Cases per second** of one replication of each bundled scenario (baseline, combined), on
    one core: rows of the case table divided by the wall time of ``run_replication``.
(c) **Cost growth**: cases per second of the baseline district with its horizon scaled to give
    about 10^4, 10^5 and 10^6 cases; each size in a fresh subprocess.
(d) **Peak memory per million cases**: in the same subprocesses, the growth of the peak
    resident set (``ru_maxrss``) from just before the replication to its end, scaled to a
    million cases, at the largest size.

Where the run is short ((a) and (b)) each figure is the fastest of ``--repeats`` runs (the
one least disturbed by other work on the machine), (a)'s runs alternating between the two
models; the targets (<= 1.25x, >= 20,000 cases/s, flat within +-20%, <= 300 MB per million) are printed
next to the figures but never asserted.

    .venv/bin/python benchmarks/bench.py                      # the full benchmark (a few minutes)
    .venv/bin/python benchmarks/bench.py --sizes 1e4 --tandem-cases 2000 --repeats 1 --out x.json
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if importlib.util.find_spec("sim") is None:   # not installed: use this checkout
    sys.path.insert(0, str(ROOT))

ARRIVAL_RATE = 1.5                      # per hour
STAGES = (("a", 2, 1.0), ("b", 3, 0.7), ("c", 1, 2.0))  # (department, servers, service rate/h)
BASELINE_CASES_PER_DAY = 6442 / 42      # baseline.yaml, seed 1: 6,442 cases in 42 days
CLOCK = time.process_time
"""Seconds of CPU used by this process: "per core", and not inflated when other work shares
the machine (wall seconds are recorded too where they differ)."""
TARGETS = {"overhead_ratio": 1.25, "cases_per_s": 20_000, "cost_growth_spread": 0.20,
           "peak_mb_per_million": 300}


# ---------------------------------------------------------------------------------- (a) tandem
def tandem_scenario(hours: float) -> dict:
    """The tandem network as a govsim scenario: one street of one grid, whose cases are all
    reported at once by a citizen (Poisson arrivals), triaged in no time by unlimited
    dispatchers and referred to three always-open departments with no paperwork in between."""
    zero = {"kind": "fixed", "value": 0}
    return {
        "name": "tandem",
        "simulation": {"horizon": hours, "warmup": 0, "drain_limit": "3650d"},
        "district": {"grid_heterogeneity_cv": 0, "hour_profile": [1.0] * 24},
        "streets": {"s": {"grids": 1, "dispatchers": "unlimited", "staff": 1,
                          "calendar": "always", "travel_time": zero,
                          "patrol": {"coverage": 0}, "report_delay": zero}},
        "departments": {name: {"staff": servers, "calendar": "always", "travel_time": zero}
                        for name, servers, _ in STAGES},
        "case_types": {"job": {
            "rate": ARRIVAL_RATE * 24, "departments": [name for name, _, _ in STAGES],
            "deadline": "24h",
            "work": {name: {"kind": "exponential", "mean": 1 / mu} for name, _, mu in STAGES},
            "citizen_call_share": 1.0, "citizen_call_delay": zero}},
        "triage": {"time": zero},
        "referral": {"admin_delay_working_days": zero, "bounce_return_working_days": zero},
        "reopen": {"max_reopens": 0},
    }


def run_govsim_tandem(hours: float, seed: int = 1) -> tuple[int, float]:
    from sim.model.replication import run_replication
    from sim.scenario.loader import scenario_from_dict

    scenario = scenario_from_dict(tandem_scenario(hours))
    started = CLOCK()
    rep = run_replication(scenario, seed, 0)
    return len(rep.cases), CLOCK() - started


def bare_simpy(hours: float, seed: int = 1) -> tuple[int, float]:
    """The same network, hand-written: one generator per customer, ``simpy.Resource`` per stage.

    Returns (customers, wall seconds), the time including drawing the random numbers.
    """
    import simpy

    started = CLOCK()
    rng = np.random.default_rng(seed)
    n = rng.poisson(ARRIVAL_RATE * hours)
    arrivals = np.sort(rng.random(n) * hours).tolist()
    service = [rng.exponential(1 / mu, n).tolist() for _, _, mu in STAGES]
    env = simpy.Environment()
    servers = [simpy.Resource(env, c) for _, c, _ in STAGES]
    done = [0.0] * n

    def customer(i):
        for resource_, times in zip(servers, service):  # noqa: B905 - same length by build
            with resource_.request() as req:
                yield req
                yield env.timeout(times[i])
        done[i] = env.now

    def source():
        for i, t in enumerate(arrivals):
            yield env.timeout(t - env.now)
            env.process(customer(i))

    env.process(source())
    env.run()
    return n, CLOCK() - started


def overhead(cases: int, repeats: int) -> dict:
    hours = cases / ARRIVAL_RATE
    govsim, bare = [], []
    for _ in range(repeats):
        n, s = run_govsim_tandem(hours)
        govsim.append(n / s)
        n, s = bare_simpy(hours)
        bare.append(n / s)
    g, b = max(govsim), max(bare)
    return {"govsim_cases_per_s": g, "simpy_cases_per_s": b, "ratio": b / g,
            "ratios_by_repeat": [y / x for x, y in zip(govsim, bare, strict=True)]}


# ---------------------------------------------------------------------------------- (b) scenarios
def scenario_speed(path: Path, repeats: int) -> float | None:
    from sim.model.replication import run_replication
    from sim.scenario.loader import load_scenario

    if not path.exists():
        return None
    scenario = load_scenario(path)
    speeds = []
    for _ in range(repeats):
        started = CLOCK()
        rep = run_replication(scenario, 1, 0)
        speeds.append(len(rep.cases) / (CLOCK() - started))
    return max(speeds)


# ---------------------------------------------------------------------------------- (c), (d)
def _rss_now_mb() -> float:
    """Resident set size of this process now (Linux), else its peak so far."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * resource.getpagesize() / 2**20
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(cases: int, trace: bool = False) -> None:
    """Run in a fresh interpreter: one baseline replication of about ``cases`` cases.

    Prints CPU and wall seconds, the resident set before the replication and its peak; with
    ``trace``, also the peak of memory allocated through Python (``tracemalloc``: the records
    and objects the program holds, without the allocator's free-but-kept pages; slower).
    """
    import tracemalloc

    from sim.model.replication import run_replication
    from sim.scenario.loader import load_scenario

    days = max(cases / BASELINE_CASES_PER_DAY, 8.0)
    scenario = load_scenario(ROOT / "scenarios" / "baseline.yaml",
                             [f"simulation.horizon={days:.3f}d", "simulation.warmup=0"])
    before = _rss_now_mb()
    if trace:
        tracemalloc.start()
    started, wall = CLOCK(), time.perf_counter()
    rep = run_replication(scenario, 1, 0)
    cpu, wall = CLOCK() - started, time.perf_counter() - wall
    traced = tracemalloc.get_traced_memory()[1] if trace else None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"cases": len(rep.cases), "cpu_s": cpu, "wall_s": wall,
                      "rss_before_mb": before, "rss_peak_mb": peak,
                      "traced_peak_mb": traced / 2**20 if trace else None}))


def _spawn(size: int, trace: bool = False) -> dict:
    cmd = [sys.executable, __file__, "--child", str(size)] + (["--trace"] if trace else [])
    res = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(res.stdout.strip().splitlines()[-1])


def growth(sizes: list[int]) -> list[dict]:
    rows = []
    for size in sizes:
        row = _spawn(size)
        row["target"] = size
        row["cases_per_s"] = row["cases"] / row["cpu_s"]
        row["mb_per_million"] = ((row["rss_peak_mb"] - row["rss_before_mb"])
                                 / row["cases"] * 1e6)
        rows.append(row)
    return rows


def traced_memory(size: int) -> dict:
    """Peak Python-allocated memory per million cases, from a traced run of ``size`` cases."""
    row = _spawn(size, trace=True)
    row["mb_per_million"] = row["traced_peak_mb"] / row["cases"] * 1e6
    return row


# ---------------------------------------------------------------------------------- report
def git_commit() -> str | None:
    from sim.experiment.runner import git_commit as commit

    return commit()


def table(results: dict) -> str:
    t = TARGETS
    o = results["overhead"]
    lines = [f"{'measure':48s} {'figure':>14s}   target",
             f"{'(a) tandem M/M/2->M/M/3->M/M/1, govsim':48s} "
             f"{o['govsim_cases_per_s']:>10,.0f} c/s",
             f"{'    same network, bare SimPy':48s} {o['simpy_cases_per_s']:>10,.0f} c/s",
             f"{'    overhead ratio (govsim time / SimPy time)':48s} "
             f"{results['overhead_ratio']:>13.2f}x   <= {t['overhead_ratio']}x"]
    for name, value in results["cases_per_s"].items():
        figure = f"{value:>10,.0f} c/s" if value is not None else f"{'absent':>14s}"
        lines.append(f"{'(b) ' + name + ', one replication, one core':48s} {figure}   "
                     f">= {t['cases_per_s']:,}")
    for row in results["growth"]:
        lines.append(f"{'(c) baseline, ' + format(row['cases'], ',') + ' cases':48s} "
                     f"{row['cases_per_s']:>10,.0f} c/s")
    if results["growth"]:
        lines.append(f"{'    spread (max/min - 1)':48s} {results['cost_growth_spread']:>13.0%}"
                     f"    <= {t['cost_growth_spread']:.0%}")
        lines.append(f"{'(d) peak memory per million cases (RSS growth)':48s} "
                     f"{results['peak_mb_per_million']:>11,.0f} MB   "
                     f"<= {t['peak_mb_per_million']} MB")
    if results.get("traced_mb_per_million") is not None:
        lines.append(f"{'    allocated by Python, peak (tracemalloc)':48s} "
                     f"{results['traced_mb_per_million']:>11,.0f} MB")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="1e4,1e5,1e6",
                   help="case counts for cost growth and memory (comma-separated)")
    p.add_argument("--tandem-cases", type=float, default=1e5,
                   help="expected cases of the tandem network in (a)")
    p.add_argument("--repeats", type=int, default=5,
                   help="runs per figure of (a) and (b); the fastest is kept")
    p.add_argument("--out", default=str(ROOT / "benchmarks" / "results.json"))
    p.add_argument("--trace-size", type=float, default=1e5,
                   help="cases of the traced run measuring allocated memory (0: skip)")
    p.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    p.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child is not None:
        _child(args.child, args.trace)
        return 0
    sizes = [int(float(s)) for s in args.sizes.split(",") if s.strip()]

    print("(a) overhead over bare SimPy ...", file=sys.stderr)
    over = overhead(int(args.tandem_cases), args.repeats)
    print("(b) bundled scenarios ...", file=sys.stderr)
    speeds = {}
    for name in ("baseline", "combined"):
        speeds[name] = scenario_speed(ROOT / "scenarios" / f"{name}.yaml", args.repeats)
        if speeds[name] is None:
            print(f"    scenarios/{name}.yaml is absent: skipped", file=sys.stderr)
    print(f"(c, d) cost growth and memory at {sizes} cases ...", file=sys.stderr)
    rows = growth(sizes)
    rates = [r["cases_per_s"] for r in rows]
    traced = traced_memory(int(args.trace_size)) if args.trace_size else None
    results = {
        "commit": git_commit(),
        "overhead_ratio": over["ratio"],
        "overhead": over,
        "cases_per_s": speeds,
        "cost_growth": {str(r["cases"]): r["cases_per_s"] for r in rows},
        "cost_growth_spread": (max(rates) / min(rates) - 1) if rates else None,
        "peak_mb_per_million": rows[-1]["mb_per_million"] if rows else None,
        "traced_mb_per_million": traced["mb_per_million"] if traced else None,
        "growth": rows,
        "traced": traced,
        "targets": TARGETS,
        "machine": {"python": sys.version.split()[0], "cpus": _cpus()},
    }
    print(table(results))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"written: {out}")
    return 0


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


if __name__ == "__main__":
    sys.exit(main())
