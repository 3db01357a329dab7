"""Summaries of a partitioned city dataset, read one district partition at a time.

``cases.parquet/district=<name>/part-<replication>.parquet`` is opened as a ``pyarrow.dataset``
(Hive partitioning); for each district only the columns the summary needs are read
(``replication, case_type, t_report, response_h, resolved, deadline_met, in_warmup``), so memory
holds one district's seven columns at a time, never the city.

- **Per district** the metrics are exact: ``sim.analysis.summary.replication_metrics`` on the
  district's columns, then Student-t intervals across replications.
- **City-wide**, counts, sums and shares add up exactly across districts; the quantiles (p50,
  p90, p95) come from **merged per-partition histograms** of response time on fixed
  logarithmic bins (``EDGES``: 400 per decade from 0.001 h to 100,000 h, below that one bin
  from 0). The estimate is the geometric middle of the bin holding the exact sample quantile
  (the same ``inverted_cdf`` definition as the district summary, censored cases counting as
  infinite), so it is within ``QUANTILE_REL_ERROR`` (0.29%) of the exact value. Histograms merge
  by addition, exactly, in any order, which is why they were chosen over t-digests.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

from sim.analysis.summary import ALL, METRICS, replication_metrics, summarise
from sim.city.run import CASES_DIR
from sim.experiment.files import OutputError
from sim.experiment.folder import read_marker
from sim.scenario.paths import safe_component

COLUMNS = ["scenario", "replication", "case_type", "t_report", "response_h", "resolved",
           "deadline_met", "in_warmup"]
PER_DECADE = 400
EDGES = np.concatenate([[0.0], np.geomspace(1e-3, 1e5, 8 * PER_DECADE + 1)])
"""Histogram bin edges (hours); the last bin is [1e5, inf)."""
QUANTILE_REL_ERROR = 10 ** (1 / (2 * PER_DECADE)) - 1
CITY = "CITY"
QUANTILES = {"p50_h": 0.5, "p90_h": 0.9, "p95_h": 0.95}


@dataclass
class Tally:
    """Additive statistics of one (replication, case type) over any set of districts."""

    n: int = 0
    resolved: int = 0
    met: int = 0
    known: int = 0
    response_sum: float = 0.0
    hist: np.ndarray = field(default_factory=lambda: np.zeros(len(EDGES), dtype=np.int64))

    def add(self, response: np.ndarray, resolved: np.ndarray, met: np.ndarray,
            known: np.ndarray) -> None:
        self.n += len(response)
        self.resolved += int(resolved.sum())
        self.met += int((met & known).sum())
        self.known += int(known.sum())
        done = response[resolved]
        self.response_sum += float(done.sum())
        self.hist += histogram(done)

    def metrics(self) -> dict:
        out = {"n": self.n, "censored": self.n - self.resolved,
               "resolved_share": self.resolved / self.n if self.n else math.nan,
               "deadline_met_share": self.met / self.known if self.known else math.nan,
               "mean_h": self.response_sum / self.resolved if self.resolved else math.nan}
        for name, q in QUANTILES.items():
            out[name] = histogram_quantile(self.hist, self.n, q)
        return out


def histogram(values: np.ndarray) -> np.ndarray:
    """Counts of ``values`` (hours, >= 0) in the bins [EDGES[i], EDGES[i+1]) (last: to inf)."""
    idx = np.searchsorted(EDGES, values, side="right") - 1
    return np.bincount(np.clip(idx, 0, len(EDGES) - 1), minlength=len(EDGES))


def histogram_quantile(hist: np.ndarray, n: int, q: float) -> float:
    """The ``q`` quantile (inverted CDF) of ``n`` values of which ``hist`` holds the finite
    ones (the rest are infinite), as the geometric middle of its bin."""
    if n == 0:
        return math.nan
    rank = max(math.ceil(q * n - 1e-9), 1)
    cum = np.cumsum(hist)
    if rank > cum[-1]:
        return math.inf
    i = int(np.searchsorted(cum, rank, side="left"))
    if i == 0:
        return EDGES[1] / 2
    if i == len(EDGES) - 1:
        return float(EDGES[-1])
    return float(math.sqrt(EDGES[i] * EDGES[i + 1]))


def open_dataset(out: Path) -> ds.Dataset:
    # The partition value is a folder name (safe_component of the district): always text,
    # never decoded (a district called "7" is not the number 7).
    partitioning = ds.HivePartitioning(pa.schema([("district", pa.string())]),
                                       segment_encoding="none")
    return ds.dataset(Path(out) / CASES_DIR, format="parquet", partitioning=partitioning)


def districts_in(out: Path) -> dict[str, str]:
    """District name -> its partition value, for the city run in ``out``.

    The names come from the folder's ``govsim.json`` (every district of the city, so one
    whose partition is missing is an error, not a silent gap); a folder without one is read
    by its partition folders.
    """

    root = Path(out) / CASES_DIR
    marker = read_marker(out)
    if marker is None or marker.get("kind") != "city":
        return {v: v for v in sorted(p.name.split("=", 1)[1] for p in root.glob("district=*")
                                     if p.is_dir())}
    names = {n: safe_component(n) for n in sorted(marker["identity"]["districts"])}
    for name, value in names.items():
        if not (root / f"district={value}").is_dir():
            raise OutputError(f"{root / f'district={value}'}: district {name!r} has no "
                              "partition; rerun the same command to compute it")
    return names


def read_district(dataset: ds.Dataset, district: str) -> pd.DataFrame:
    """The summary columns of one district (every replication), and nothing else."""
    table = dataset.to_table(columns=COLUMNS, filter=pc.field("district") == district)
    return table.to_pandas()


@dataclass
class CitySummary:
    summary: pd.DataFrame        # scope (CITY or district), case_type, metrics and *_hw
    per_rep: pd.DataFrame        # the same, per replication
    hist: dict                   # case type (and ALL) -> histogram summed over replications
    n: dict                      # case type (and ALL) -> cases (over replications)


def summarise_city(out: Path, confidence: float = 0.95) -> CitySummary:
    """City-wide and per-district summary of the dataset in ``out``, one district at a time."""
    dataset = open_dataset(out)
    tallies: dict[tuple[int, str], Tally] = {}
    district_rows = []
    for district, value in districts_in(out).items():
        frame = read_district(dataset, value)
        per_rep = replication_metrics(frame)
        per_rep["scenario"] = district
        district_rows.append(per_rep)
        data = frame[frame["t_report"].notna() & ~frame["in_warmup"].astype(bool)]
        for (rep, ctype), group in data.groupby(["replication", "case_type"], observed=True):
            met = group["deadline_met"]
            known = met.notna().to_numpy()
            met_v = met.fillna(False).astype(bool).to_numpy()
            args = (group["response_h"].to_numpy(float), group["resolved"].to_numpy(bool),
                    met_v, known)
            for key in ((int(rep), str(ctype)), (int(rep), ALL)):
                tallies.setdefault(key, Tally()).add(*args)
        del frame, data
    city_rows = [{"scenario": CITY, "replication": rep, "case_type": ctype, **t.metrics()}
                 for (rep, ctype), t in sorted(tallies.items())]
    per_rep = pd.concat([pd.DataFrame(city_rows, columns=["scenario", "replication",
                                                          "case_type", *METRICS]),
                         *district_rows], ignore_index=True)
    summary = summarise(per_rep, confidence).rename(columns={"scenario": "scope"})
    hist, n = {}, {}
    for (_, ctype), t in tallies.items():
        hist[ctype] = hist.get(ctype, 0) + t.hist
        n[ctype] = n.get(ctype, 0) + t.n
    return CitySummary(summary=summary, per_rep=per_rep.rename(columns={"scenario": "scope"}),
                       hist=hist, n=n)
