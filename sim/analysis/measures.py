"""Beijing's hotline measures (接诉即办): response, resolution, satisfaction and reopen rates.

Beijing's 12345 hotline reform (接诉即办, "respond as soon as a complaint is received", from
2019) assesses every district, street and department monthly by three rates: the response rate
(响应率: the caller was contacted within the time limit), the resolution rate (解决率: the share
of callers who say, at the callback, that the problem was solved) and the satisfaction rate
(满意率). The model has no callback and no citizen opinion, so each rate is read off the case
records as follows (one case = one caller):

``response_rate``
    Among cases reported after the warm-up whose response is known: the share whose first
    contact came within the type's response deadline ``respond_within_h`` of the report. First
    contact is the first team on site (``t_onsite``), or the resolution when nobody had to
    travel (a grid worker's fix on the spot has no ``t_onsite`` but a ``t_resolved``). A case
    nobody reached by the end of the run counts as *not responded* once its response deadline
    has passed at the end, and is left out while it could still have been met (as
    ``deadline_met`` is NA then).
``resolution_rate``
    Among cases closed at least once: the share whose **first** closure really solved the
    problem (``first_closure_solved``), i.e. what the citizen would say at the callback after
    that closure. A case closed unsolved counts as unsolved even if a later round solved it.
``satisfaction_rate``
    Among cases closed at least once: the expected share of satisfied citizens under a
    ``SatisfactionModel`` (an ASSUMPTION: see its docstring). No random draw is made.
``reopen_rate``
    Among cases closed at least once: the share reopened at least once (``reopens > 0``).

Each rate is computed per replication (per scenario and case type, and ``ALL``), then averaged
across replications with a Student-t half-width (``<rate>_hw``), in the shape of
``summary.csv`` (``sim.analysis.summary``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.analysis.metric_names import MEASURES
from sim.analysis.run_end import EndTime, run_ends
from sim.analysis.summary import ALL, summarise

MEASURE_LABELS = {
    "response_rate": "response rate (响应率)", "resolution_rate": "resolution rate (解决率)",
    "satisfaction_rate": "satisfaction rate (满意率, assumed model)",
    "reopen_rate": "reopen rate",
}
INDICATORS = {"responded": "response_rate", "solved_first": "resolution_rate",
              "satisfied": "satisfaction_rate", "reopened": "reopen_rate"}
"""Per-case indicator column -> the rate it averages to."""


@dataclass(frozen=True)
class SatisfactionModel:
    """ASSUMPTION: the chance that a citizen, called back after the case's first closure, says
    they are satisfied. The satisfaction rate is the mean of this chance over closed cases (an
    expected value, so it adds no noise).

    - ``solved_on_time`` (default 1.0): the first closure solved the problem and it was solved
      within the type's deadline (``deadline_met``). A citizen whose problem was solved in time
      has nothing to complain about.
    - ``solved_late`` (default 0.5): solved at the first closure, but after the deadline. No
      published figure separates late from timely solutions; 0.5 says "as likely pleased as
      not" and is the least informed choice.
    - ``unsolved`` (default 0.2): the first closure did not solve the problem. Beijing's
      published satisfaction rate has always been above its resolution rate (65% vs 53% at the
      start of the reform, 95% vs 94% at the end of 2022, 97.3% vs 97% in 2024; docs/model.md):
      some citizens whose problem was not solved are satisfied anyway (with the explanation,
      the attitude). If every solved caller were satisfied, the share satisfied among the
      unsolved would be (S − R)/(1 − R): 0.26, 0.17 and 0.10 for those three years; 0.2 lies
      within that range.

    These are not calibrated: compare scenarios under the same model, and vary the three
    chances to see whether a conclusion depends on them.
    """

    solved_on_time: float = 1.0
    solved_late: float = 0.5
    unsolved: float = 0.2

    def __post_init__(self) -> None:
        for name in ("solved_on_time", "solved_late", "unsolved"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"SatisfactionModel.{name} must be a probability in [0, 1], "
                                 f"got {value!r}")


def counted(cases: pd.DataFrame) -> pd.DataFrame:
    """The cases every statistic counts: reported, and reported after the warm-up."""
    return cases[cases["t_report"].notna() & ~cases["in_warmup"].astype(bool)]


def case_indicators(cases: pd.DataFrame, satisfaction: SatisfactionModel | None = None,
                    end_time: EndTime = None) -> pd.DataFrame:
    """One row per case of ``cases`` (same index), the per-case terms of the rates.

    Columns ``responded``, ``solved_first``, ``satisfied``, ``reopened`` are floats: 1/0 (or the
    satisfaction chance), NaN where the case is not in the rate's denominator. ``end_time`` is
    the run's end (see ``sim.analysis.run_end``). Warm-up cases are not filtered here.
    """
    satisfaction = satisfaction or SatisfactionModel()
    t_report = cases["t_report"].to_numpy(dtype=float)
    t_resolved = cases["t_resolved"].to_numpy(dtype=float)
    # fmin ignores a NaN side: the first of on-site and resolution, whichever is known.
    contact = np.fmin(cases["t_onsite"].to_numpy(dtype=float), t_resolved)
    within = cases["respond_within_h"].to_numpy(dtype=float)
    late_at_end = (run_ends(cases, end_time) - t_report) > within
    responded = np.where(~np.isnan(contact), contact - t_report <= within,
                         np.where(late_at_end, 0.0, np.nan))

    first = cases["first_closure_solved"].astype("boolean")
    closed = first.notna().to_numpy()
    solved = first.fillna(False).to_numpy(dtype=bool)
    on_time = cases["deadline_met"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    chance = np.where(solved, np.where(on_time, satisfaction.solved_on_time,
                                       satisfaction.solved_late), satisfaction.unsolved)
    reopened = cases["reopens"].to_numpy() > 0
    return pd.DataFrame({
        "responded": responded.astype(float),
        "solved_first": np.where(closed, solved, np.nan),
        "satisfied": np.where(closed, chance, np.nan),
        "reopened": np.where(closed, reopened, np.nan),
    }, index=cases.index)


def rates_by(cases: pd.DataFrame, indicators: pd.DataFrame, by: str) -> pd.DataFrame:
    """Per (scenario, replication, ``by``) and per (scenario, replication) as ``by = ALL``:
    the number of cases ``n`` and the mean of each column of ``indicators`` (NaNs left out;
    the columns of ``INDICATORS`` renamed to their rates). ``cases`` and ``indicators`` share
    an index; ``cases`` needs ``replication`` and ``by`` (``scenario`` is "" when absent)."""
    frame = indicators.rename(columns=INDICATORS)
    averaged = list(frame.columns)
    # Group on the columns as they are (categoricals group by code) and turn only the small
    # result into strings: a million-row astype(str) costs more than the whole grouping.
    frame["scenario"] = cases["scenario"].array if "scenario" in cases.columns else ""
    frame["replication"] = cases["replication"].to_numpy()
    frame[by] = cases[by].array
    keys = ["scenario", "replication"]
    parts = []
    for group in (keys, [*keys, by]):
        g = frame.groupby(group, sort=True, observed=True)
        part = g[averaged].mean().join(g.size().rename("n")).reset_index()
        parts.append(part.assign(**{by: ALL}) if by not in group else part)
    out = pd.concat(parts, ignore_index=True)
    out = out.assign(scenario=out["scenario"].astype(str), **{by: out[by].astype(str)})
    # ALL first within each run, as in ``replication_metrics``.
    out = out.sort_values(keys, kind="stable").reset_index(drop=True)
    return out[[*keys, by, "n", *averaged]]


def measures(cases: pd.DataFrame, satisfaction: SatisfactionModel | None = None,
             end_time: EndTime = None, by: str = "case_type") -> pd.DataFrame:
    """Per replication: the four rates per scenario and case type (``by``), and ``ALL``.

    Columns ``scenario, replication, <by>, response_rate, resolution_rate, satisfaction_rate,
    reopen_rate``, one row per (scenario, replication, group) like
    ``sim.analysis.summary.replication_metrics``, so the two can be merged on those keys (and
    compared with ``sim.analysis.compare.comparison_table(..., metrics=MEASURES)``). A rate with
    an empty denominator in a replication (no case closed yet) is NaN.
    """
    columns = ["scenario", "replication", by, *MEASURES]
    data = counted(cases)
    if data.empty:
        return pd.DataFrame(columns=columns)
    per_rep = rates_by(data, case_indicators(data, satisfaction, end_time), by)
    return per_rep[columns]


def measures_summary(cases: pd.DataFrame, satisfaction: SatisfactionModel | None = None,
                     end_time: EndTime = None, confidence: float = 0.95) -> pd.DataFrame:
    """The rates across replications: ``scenario, case_type, reps`` and each of ``MEASURES``
    with its Student-t half-width ``<rate>_hw``, in the row order of ``summary.csv``."""
    return summarise(measures(cases, satisfaction, end_time), confidence, metrics=MEASURES)
