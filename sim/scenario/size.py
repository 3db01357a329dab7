"""How big a scenario is, estimated from the scenario alone, and the limits on it.

A scenario can be valid number by number and still ask for more than any machine gives: ten
million grids, a horizon of a thousand years, a hundred thousand streets times a hundred case
types. The work is bounded before it is done: ``estimate`` predicts a replication's size from
the scenario (no random number is drawn), and ``assess`` compares it with the limits:

=====================  =====================================================================
limit                  why
=====================  =====================================================================
``MAX_CASES``          20 million expected cases per replication: ~10 GB and ~15 min of one
                       core at the measured ~500 bytes and ~25,000 cases per second.
``MAX_SIMULATED_H``    20 years of simulated time (horizon + drain limit): the accounting of
                       working calendars walks the run day by day, for every pool.
``MAX_SETUP_STEPS``    3·10^8 steps of setup that do not depend on the cases: one Poisson draw
                       per hour of the horizon for each (street, case type) pair, plus a fixed
                       cost per pair, one per grid, and the day-by-day calendar accounting of
                       every pool (~15 s).
memory                 a replication estimated to need more than 80% of this machine's memory
                       (physical or the container's limit) is refused; a run above 40% warns.
=====================  =====================================================================

A scenario above a limit is refused with the estimate, naming the key that drives it
(``streets.<s>.grids`` or ``case_types.<k>.rate`` for cases, ``simulation.horizon`` or
``simulation.drain_limit`` for simulated time, ``streets`` for setup). A researcher who means it
sets ``simulation.allow_large: true`` (in the file, or ``--set simulation.allow_large=true``):
the same findings are then printed as warnings and the run goes ahead. The setting is part of
the scenario, so it is recorded in the manifest like every other.

A department with no staff that a case type needs is allowed (its cases stay open and are
censored; tests/model/test_extremes.py relies on it), but every replication then runs to the drain
limit: ``assess`` warns about it, and the simulated-time limit bounds how long that is.

``expected_cases`` is the size estimate the brief of issue 11 asks for: the sum over streets and
case types of rate x grids x horizon (in days).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

from sim.scenario.errors import Problem, ScenarioError
from sim.scenario.schema import Scenario
from sim.scenario.units import format_duration

MAX_CASES = 20_000_000
MAX_SIMULATED_H = 20 * 365 * 24.0
MAX_SETUP_STEPS = 300_000_000
MEMORY_REFUSE_SHARE = 0.8
MEMORY_WARN_SHARE = 0.4

BYTES_PER_CASE = 500
"""Peak memory growth of a replication per case (README, benchmark (d): 487-497 MB/million)."""
BYTES_PER_DEPARTMENT_COLUMN = 8
"""Each department beyond the first that a case type needs adds a work-content column."""
BYTES_PER_GRID = 48
"""Grid weights, coverage draws and the sampling table of one street (transient)."""
BYTES_PER_KEPT_CASE = 250
"""What ``run`` keeps per case of every replication for its summary (case row ~112 bytes,
visit rows ~107, measured on baseline.yaml)."""
WORKER_BYTES = 150 * 2**20
"""A worker process before its first case (interpreter, numpy, pandas, simpy)."""
CASES_PER_SECOND = 25_000
"""Cases one core simulates per second (benchmark (b), (c): 20,000 to 33,000)."""
PAIR_SETUP_STEPS = 1_000
"""Fixed cost of a (street, case type) pair: its ten random streams, in Poisson-draw units."""
POOL_DAY_STEPS = 10
"""Cost of one pool-day of calendar accounting, in Poisson-draw units (measured ~0.5 us)."""
SECONDS_PER_STEP = 50e-9


@dataclass(frozen=True)
class SizeEstimate:
    """A replication's size, predicted from the scenario."""

    cases: float
    """Expected cases (occurrences) per replication."""
    largest_pair: tuple[str, str, float] | None
    """(street, case type, expected cases) of the pair that contributes most."""
    largest_street: tuple[str, int] | None
    """(street, grids) of the street with most grids."""
    simulated_h: float
    """Horizon plus drain limit: the longest a replication can run."""
    setup_steps: float
    """Work that does not depend on the cases (see the module's table)."""
    memory_bytes: float
    """Peak memory growth of one replication."""

    @property
    def seconds(self) -> float:
        """CPU seconds of one replication (rough: the model's speed varies by ±30%)."""
        return self.cases / CASES_PER_SECOND + self.setup_steps * SECONDS_PER_STEP


def expected_cases(s: Scenario) -> float:
    """Sum over streets and case types of rate x grids x horizon days (which factorises:
    all grids x all rates x days, so thousands of streets and types cost no pairwise loop)."""
    grids = sum(st.grids for st in s.streets.values())
    rates = sum(ct.rate for ct in s.case_types.values())
    return grids * rates * (s.simulation.horizon / 24)


def estimate(s: Scenario) -> SizeEstimate:
    """Predict the size of one replication of ``s`` from the scenario alone."""
    days = s.simulation.horizon / 24
    simulated = s.simulation.horizon + s.simulation.drain_limit
    largest_street = max(((n, st.grids) for n, st in s.streets.items()),
                         key=lambda kv: kv[1], default=None)
    busiest = max(s.case_types.items(), key=lambda kv: kv[1].rate)
    # rate x grids x days is largest for the street with most grids and the busiest type.
    largest_pair = None if largest_street is None else (
        largest_street[0], busiest[0], busiest[1].rate * largest_street[1] * days)
    cases = expected_cases(s)
    width = max([len(ct.departments) for ct in s.case_types.values()] + [1])
    rounds = s.reopen.max_reopens + 1
    per_case = (BYTES_PER_CASE + BYTES_PER_DEPARTMENT_COLUMN * (width - 1)
                + 12 * max(0, rounds - 6))
    memory = cases * per_case + (largest_street[1] if largest_street else 0) * BYTES_PER_GRID
    pairs = (sum(1 for st in s.streets.values() if st.grids > 0)
             * sum(1 for ct in s.case_types.values() if ct.rate > 0))
    sinking = s.reform.sinking
    stationed = len(s.streets) * len(s.departments) if sinking.enabled else 0
    pools = 2 * len(s.streets) + 2 * len(s.departments) + stationed
    setup = (pairs * (math.ceil(s.simulation.horizon) + PAIR_SETUP_STEPS)
             + sum(st.grids for st in s.streets.values())
             + POOL_DAY_STEPS * pools * math.ceil(simulated / 24))
    return SizeEstimate(cases=cases, largest_pair=largest_pair, largest_street=largest_street,
                        simulated_h=simulated, setup_steps=float(setup), memory_bytes=memory)


@dataclass(frozen=True)
class Finding:
    """One way a scenario is large: refused (above a limit, unless ``allow_large``) or a
    warning."""

    path: str
    message: str
    refuse: bool


def _mb(n: float) -> str:
    return f"{n / 2**30:,.1f} GB" if n >= 2**30 else f"{n / 2**20:,.0f} MB"


def _years(hours: float) -> str:
    return f"{hours:,.0f}h ({hours / 8760:.3g} years)"


def _cases_path(s: Scenario, est: SizeEstimate) -> tuple[str, str]:
    """The key that makes the cases many, and how the largest pair's count comes about."""
    street, ctype, n = est.largest_pair
    grids, rate = s.streets[street].grids, s.case_types[ctype].rate
    days = s.simulation.horizon / 24
    how = (f"largest: street {street!r} x case type {ctype!r}, {grids:,} grids x "
           f"{rate:g}/grid/day x {days:g} days = {n:,.0f}")
    # Blame the factor out of proportion: many grids, or many cases per grid.
    if grids >= rate * days:
        return f"streets.{street}.grids", how
    return f"case_types.{ctype}.rate", how


def assess(s: Scenario, memory_available: float | None = None) -> list[Finding]:
    """Every limit ``s`` exceeds (``refuse``), and the memory warning; with
    ``memory_available`` (bytes) the replication's memory is compared with it too."""
    est = estimate(s)
    out: list[Finding] = []
    advice = "set simulation.allow_large: true to run it anyway"
    if est.cases > MAX_CASES:
        path, how = _cases_path(s, est)
        out.append(Finding(path, f"expected {est.cases:,.0f} cases per replication ({how}), "
                                 f"more than the limit of {MAX_CASES:,}; {advice}", True))
    if est.simulated_h > MAX_SIMULATED_H:
        sim = s.simulation
        path = "simulation.horizon" if sim.horizon >= sim.drain_limit else "simulation.drain_limit"
        out.append(Finding(path, f"horizon {sim.horizon:g}h + drain limit {sim.drain_limit:g}h "
                                 f"= {_years(est.simulated_h)} of simulated time, more than the "
                                 f"limit of {_years(MAX_SIMULATED_H)}; {advice}", True))
    if est.setup_steps > MAX_SETUP_STEPS:
        out.append(Finding("streets", f"{len(s.streets):,} streets x {len(s.case_types):,} case "
                                      f"types and {len(s.departments):,} departments need "
                                      f"~{est.setup_steps:.3g} setup steps per replication "
                                      f"(~{est.setup_steps * SECONDS_PER_STEP:,.0f} s), more "
                                      f"than the limit of {MAX_SETUP_STEPS:.3g}; {advice}", True))
    for name, dept in s.departments.items():
        needing = [k for k, ct in s.case_types.items() if name in ct.departments and ct.rate > 0]
        if dept.staff == 0 and needing:
            out.append(Finding(f"departments.{name}.staff", (
                f"no staff, but case type(s) {', '.join(needing[:5])} need it: their cases "
                "stay open, and every replication runs to the drain limit "
                f"({s.simulation.drain_limit:g}h after the horizon)"), False))
    if memory_available and est.cases <= MAX_CASES:
        share = est.memory_bytes / memory_available
        path = _cases_path(s, est)[0] if est.largest_pair else "streets"
        if share > MEMORY_REFUSE_SHARE:
            out.append(Finding(path, f"one replication needs ~{_mb(est.memory_bytes)} "
                                     f"({est.cases:,.0f} cases), more than "
                                     f"{MEMORY_REFUSE_SHARE:.0%} of this machine's "
                                     f"{_mb(memory_available)}; {advice}", True))
        elif share > MEMORY_WARN_SHARE:
            out.append(Finding(path, f"one replication needs ~{_mb(est.memory_bytes)}, "
                                     f"{share:.0%} of this machine's {_mb(memory_available)}",
                               False))
    return out


def describe(est: SizeEstimate) -> str:
    """One line for ``govsim check``: the estimate next to its limits."""

    memory = "<1 MB" if est.memory_bytes < 2**20 else f"~{_mb(est.memory_bytes)}"
    seconds = "<0.1 s" if est.seconds < 0.1 else f"~{est.seconds:,.1f} s"
    return (f"size per replication: ~{est.cases:,.0f} cases (limit {MAX_CASES:,}), {memory}, "
            f"{seconds} of one core; simulated time up to {format_duration(est.simulated_h)} "
            f"(limit {MAX_SIMULATED_H / 8760:.0f} years)")


def available_memory() -> float | None:
    """Bytes of memory this process may use: the machine's, or its container's if lower."""
    sizes = []
    try:
        sizes.append(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        pass
    for limit in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            text = Path(limit).read_text().strip()
        except OSError:
            continue
        if text.isdigit():
            sizes.append(int(text))
    sizes = [x for x in sizes if x > 0]
    return float(min(sizes)) if sizes else None


def run_findings(s: Scenario, replications: int, workers: int | None, backend: str,
                 scheduler: str | None, memory_available: float | None) -> list[Finding]:
    """What a run of ``replications`` adds to one replication's memory: each local worker's
    replication at once, and every replication's case records kept for the summary. Findings
    name the flag that drives the total (``--reps`` or ``--workers``)."""
    if not memory_available:
        return []
    est = estimate(s)
    parallel = 1
    if backend == "processes" or (backend == "dask" and not scheduler):
        parallel = min(workers or os.cpu_count() or 1, replications)
    simulating = parallel * (est.memory_bytes + (WORKER_BYTES if parallel > 1 else 0))
    kept = replications * est.cases * BYTES_PER_KEPT_CASE
    total = simulating + kept
    flag = "--reps" if kept >= simulating else "--workers"
    what = (f"{replications:,} replications x ~{est.cases:,.0f} cases keep ~{_mb(kept)} of "
            f"records, and {parallel} replication(s) at once need ~{_mb(simulating)}: "
            f"~{_mb(total)} in all")
    share = total / memory_available
    if share > MEMORY_REFUSE_SHARE:
        return [Finding(flag, f"{what}, more than {MEMORY_REFUSE_SHARE:.0%} of this machine's "
                              f"{_mb(memory_available)}; use fewer (or set "
                              "simulation.allow_large: true)", True)]
    if share > MEMORY_WARN_SHARE:
        return [Finding(flag, f"{what}, {share:.0%} of this machine's "
                              f"{_mb(memory_available)}", False)]
    return []


def preflight(s: Scenario, source: str, replications: int = 1, workers: int | None = None,
              backend: str = "serial", scheduler: str | None = None,
              memory_available: float | None = None) -> list[str]:
    """The warnings to print before running ``s`` (``warning: FILE: key.path: ...``); raise
    ``ScenarioError`` naming ``--reps`` or ``--workers`` when the whole run would not fit in
    memory. (Limits on the scenario itself are checked when it is loaded.)"""

    findings = assess(s, memory_available)
    refused = [f for f in findings if f.refuse and not s.simulation.allow_large]
    if refused:  # already refused when loaded from a file; a derived scenario (sweep point) not
        raise ScenarioError([Problem(source, f.path, f.message) for f in refused])
    lines = [f"warning: {source}: {f.path}: {f.message}" for f in findings]
    for f in run_findings(s, replications, workers, backend, scheduler, memory_available):
        if f.refuse and not s.simulation.allow_large:
            raise ScenarioError([Problem(f.path, "", f.message)])
        lines.append(f"warning: {f.path}: {f.message}")
    return lines
