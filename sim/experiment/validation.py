"""Validation: the real model, reduced to textbook queues, against their closed forms.

A *reduction* is a scenario (an ordinary scenario dict, validated by the same schema and run by
the same engine as every study) that switches off everything a textbook queue does not have:

- one street and one case type; the street has unlimited dispatchers and triage takes no time;
- reports form a Poisson process: occurrences are Poisson (flat hour profile, equal grids), and
  every problem is reported by a citizen after a *fixed* delay (``citizen_call_share: 1``, patrol
  coverage 0, ``report_delay`` 0), so the reports are the occurrences shifted by a constant,
  which is again a Poisson process. (A random discovery delay would not keep them Poisson:
  patrol delays drawn per case reorder and cluster the reports.) The delay is 0 here;
- departments are open always, with no travel, exponential work, FIFO queues (no reform, so no
  priorities), no bounces, misrouting, quality failures or on-the-spot fixes;
- referral paperwork takes no time, so a case type needing departments ``[a, b, c]`` visits them
  one after another as a Jackson tandem network.

Then a department with ``c`` staff is an M/M/c queue. The model's ``wait_h`` (time queueing for
staff, summed over departments) must match the theoretical mean wait Wq, ``response_h`` (report
to resolution) the mean sojourn W, and the time-average number of cases in the system (computed
by ``sim.analysis.little`` from the timestamps) L = λW. A check passes when the theoretical value
lies inside the confidence interval (99% by default) of the replication means.

Little's law is also checked as an identity on each replication: ``littles_law`` measures L as
the area under N(t) in the window [warm-up, horizon], and λW from the cases reported in it; the
two differ exactly by the area of the cases already present when the window opens. The check
recomputes that edge term and demands agreement to rounding error, which fails if any case is
lost or any timestamp runs backwards.

The warm-up of each reduction is a few relaxation times ``1 / (c mu (1 - sqrt(rho))^2)`` of its
busiest station, so the initial empty state has faded; run lengths grow with the size.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from sim.analysis.little import littles_law
from sim.analysis.stats import t_interval
from sim.analysis.theory import QueueMeans, tandem
from sim.experiment.runner import run_scenarios
from sim.scenario.loader import scenario_from_dict

SIZES = {
    # replications, cases per replication after the warm-up, warm-up in relaxation times
    "quick": (10, 4_000, 3.0),
    "full": (20, 40_000, 5.0),
}
"""``quick`` gives a CI-sized run for tests (wide intervals, honest), ``full`` the README table."""

FIXED_ZERO = {"kind": "fixed", "value": 0}


def reduction_dict(name: str, lam: float, stations: list[tuple[int, float]], horizon: float,
                   warmup: float) -> dict:
    """A scenario dict that the model runs as a tandem of M/M/c queues.

    ``lam`` is the report rate per hour; ``stations`` are ``(staff, mean work in hours)`` of the
    departments ``d1, d2, ...`` a case visits in turn (one station gives an M/M/c queue).
    """
    depts = {f"d{i + 1}": {"staff": c, "calendar": "always", "travel_time": FIXED_ZERO}
             for i, (c, _) in enumerate(stations)}
    return {
        "name": name,
        "description": "validation reduction: Poisson reports, exponential work, FIFO staff",
        # Cases occur until the horizon; the drain lets every case finish (none censored).
        "simulation": {"horizon": horizon, "warmup": warmup, "drain_limit": horizon},
        "district": {"grid_heterogeneity_cv": 0.0},  # equal grids, flat hour profile: Poisson
        "streets": {"s": {
            "grids": 24,  # rate below is per grid per day: 24 grids x lam / day = lam per hour
            "dispatchers": "unlimited", "staff": 0, "calendar": "always", "powers": [],
            "travel_time": FIXED_ZERO, "patrol": {"coverage": 0.0},
            "report_delay": FIXED_ZERO,
        }},
        "departments": depts,
        "case_types": {"job": {
            "rate": lam, "departments": list(depts), "deadline": 10**6,
            "work": {d: {"kind": "exponential", "mean": m}
                     for d, (_, m) in zip(depts, stations, strict=True)},
            "on_spot_share": 0.0, "citizen_call_share": 1.0, "citizen_call_delay": FIXED_ZERO,
            "bounce_prob": 0.0, "misroute_prob": 0.0, "quality_failure": 0.0,
        }},
        "triage": {"time": FIXED_ZERO},
        "referral": {"admin_delay_working_days": FIXED_ZERO,
                     "bounce_return_working_days": FIXED_ZERO},
    }


@dataclass(frozen=True)
class Reduction:
    """One textbook queue: the report rate and the stations a case visits."""

    name: str
    lam: float
    stations: tuple[tuple[int, float], ...]
    """(staff, mean work hours) per department, in visiting order"""

    @property
    def utilisations(self) -> list[float]:
        return [self.lam * m / c for c, m in self.stations]

    @property
    def relaxation_h(self) -> float:
        """Relaxation time of the busiest station, 1 / (c mu (1 - sqrt(rho))^2)."""
        return max(m / (c * (1 - math.sqrt(self.lam * m / c)) ** 2) for c, m in self.stations)

    def theory(self) -> QueueMeans:
        return tandem(self.lam, [(c, 1.0 / m) for c, m in self.stations])

    def scenario(self, cases_per_rep: int, warmup_relaxations: float) -> dict:
        warmup = round(warmup_relaxations * self.relaxation_h, 1)
        horizon = warmup + round(cases_per_rep / self.lam, 1)
        return reduction_dict(self.name, self.lam, list(self.stations), horizon, warmup)


def reductions() -> list[Reduction]:
    """The validation cases: M/M/1; M/M/4 at loads 0.5-0.95; a three-department tandem."""
    out = [Reduction("M/M/1 rho=0.80", 0.8, ((1, 1.0),))]
    for rho in (0.5, 0.7, 0.85, 0.95):
        out.append(Reduction(f"M/M/4 rho={rho:.2f}", 4 * rho, ((4, 1.0),)))
    # Tandem: utilisations 0.6, 0.75 and 0.8 at lam = 1 per hour.
    out.append(Reduction("tandem M/M/1-M/M/2-M/M/3", 1.0, ((1, 0.6), (2, 1.5), (3, 2.4))))
    return out


@dataclass
class Check:
    """One row of the validation table."""

    check: str
    quantity: str
    theory: float
    simulated: float
    halfwidth: float
    reps: int
    passed: bool
    note: str = ""


def replication_means(cases: pd.DataFrame, warmup: float, horizon: float) -> pd.DataFrame:
    """Per replication: mean wait, mean sojourn, L (time average in the system), censored."""
    rows = []
    little = {r["replication"]: r for r in littles_law(cases, warmup, horizon)["replications"]}
    for rep, g in cases.groupby("replication", sort=True):
        kept = g[~g["in_warmup"].astype(bool) & g["t_report"].notna()]
        rows.append({"replication": int(rep), "n": len(kept),
                     "wait": float(kept["wait_h"].mean()),
                     "sojourn": float(kept["response_h"].mean()),
                     "censored": int((~kept["resolved"]).sum()),
                     "L": little[int(rep)]["L"]})
    return pd.DataFrame(rows)


def little_identity_gap(cases: pd.DataFrame, start: float, end: float) -> float:
    """Largest relative error, over replications, of the exact area identity of Little's law
    (``L T = stays of the cases reported in the window + edge``; see ``sim.analysis.little``)."""
    rows = littles_law(cases, start, end)["replications"]
    return max((r["identity_gap"] for r in rows), default=0.0)


def check_reduction(red: Reduction, cases: pd.DataFrame, warmup: float, horizon: float,
                    confidence: float = 0.99) -> list[Check]:
    """The rows for one reduction: Wq, W and L against theory, and Little's identity."""
    per_rep = replication_means(cases, warmup, horizon)
    th = red.theory()
    reps = len(per_rep)
    censored = int(per_rep["censored"].sum())
    rows = []
    for quantity, column, value in (("mean wait Wq (h)", "wait", th.wq),
                                    ("mean sojourn W (h)", "sojourn", th.w),
                                    ("mean number in system L", "L", th.l)):
        mean, lo, hi = t_interval(per_rep[column].to_numpy(), confidence)
        ok = bool(lo <= value <= hi) and censored == 0
        note = f"{censored} censored" if censored else ""
        rows.append(Check(red.name, quantity, value, mean, (hi - lo) / 2, reps, ok, note))
    gap = little_identity_gap(cases, warmup, horizon)
    rows.append(Check(red.name, "Little: L = λW + edge", 0.0, gap, float("nan"), reps,
                      gap < 1e-9, "relative gap, every replication"))
    return rows


def run_validation(size: str = "full", reps: int | None = None, seed: int = 1,
                   confidence: float = 0.99, backend: str = "serial",
                   workers: int | None = None, only: list[str] | None = None) -> pd.DataFrame:
    """Run every reduction through the model and return the validation table.

    ``size`` is ``quick`` or ``full`` (see ``SIZES``); ``only`` keeps the reductions whose name
    contains one of the given strings.
    """

    default_reps, cases_per_rep, relaxations = SIZES[size]
    reps = reps or default_reps
    chosen = [r for r in reductions() if not only or any(o in r.name for o in only)]
    scenarios = [scenario_from_dict(r.scenario(cases_per_rep, relaxations), source=r.name)
                 for r in chosen]
    results = run_scenarios(scenarios, reps, seed, backend=backend, workers=workers,
                            write_outputs=False, desc="validation")
    rows: list[Check] = []
    for red, res in zip(chosen, results, strict=True):
        sim_ = res.scenario.simulation
        rows += check_reduction(red, res.cases, sim_.warmup, sim_.horizon, confidence)
    table = pd.DataFrame([r.__dict__ for r in rows])
    table.attrs.update(size=size, reps=reps, seed=seed, confidence=confidence,
                       cases_per_rep=cases_per_rep)
    return table


def table_lines(table: pd.DataFrame) -> list[str]:
    """The validation table as aligned text (also valid Markdown)."""
    conf = table.attrs.get("confidence", 0.99)
    header = ["check", "quantity", "theory", f"simulated ± {conf:.0%} CI", "reps", "result"]
    rows = [header]
    for r in table.itertuples():
        if r.quantity.startswith("Little"):
            sim_text = f"gap {r.simulated:.1e}"
            theory = "0"
        else:
            sim_text = f"{r.simulated:.4f} ± {r.halfwidth:.4f}"
            theory = f"{r.theory:.4f}"
        rows.append([r.check, r.quantity, theory, sim_text, str(r.reps),
                     "pass" if r.passed else "FAIL" + (f" ({r.note})" if r.note else "")])
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"
             for row in rows]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return lines
