"""A real case log, read through a mapping: the one reader of case logs in govsim.

A case log is a table with one row per case (a hotline call, a grid-platform report, a 311
service request): when it was **created**, when it was **closed** (empty while it is open),
its **case type**, the **area** it is in and the **unit** that owns it. Every city exports these
under its own column names and date formats, so a small mapping (``LogMapping``; a YAML file, see
``sim/calibration/mappings/`` for the two bundled Los Angeles 311 layouts) says which column
holds what.

What the columns mean in the simulator (docs/model.md, "The steps"):

- ``created`` is the case's ``t_report``: the moment it is on the platform, whoever found it.
  The log knows nothing of ``t_occur`` (when the problem arose) nor of discovery.
- ``closed`` is ``t_closed``: the case is closed (solved or not) and leaves the system; a case
  reopened later is, in most logs, a new row, so a log's close time is the first closure.
- ``area`` plays the part of a street, ``unit`` the part of a department, ``case_type`` of a
  case type (the names are mapped to scenario names in ``sim.calibration.names``).
- Cases still open when the log was exported are **censored** at ``export_time``: they were open
  for at least ``export_time - created`` hours. They are kept, never dropped: dropping them
  would keep the quick closures and lose the slow ones. The simulator does the same at the end
  of a run.

Rows are dropped only when they cannot be a case: no valid created time, a status listed in
``drop_status`` (e.g. LA's ``Cancelled``: no service was given), closed before created, or
created after the export.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from sim.scenario.errors import Problem, ScenarioError, shown

MAPPINGS_DIR = Path(__file__).parent / "mappings"
"""The bundled mappings (``la311_2017.yaml``, ``la311_2020.yaml``), by file stem."""

FIELDS = ("created", "closed", "service", "case_type", "area", "unit")
"""What a mapping can point at a column; ``service`` (a service or dispatch time) is optional."""

REQUIRED = ("created", "closed", "case_type")
"""Fields every log must map; a log without areas or units maps them to one constant via
``if_absent`` (one street, one department)."""


MIN_HOURS = 1 / 60
"""Close times below a minute count as one minute: the logs have minute resolution, and fits
and log axes need positive hours."""

@dataclass(frozen=True)
class LogMapping:
    """Which column of a log holds what, how its dates are written, and what ``open`` means.

    ``created``, ``closed``, ``case_type`` (required), ``area``, ``unit``, ``service``: column
    names, matched without regard to letter case. ``date_format``: strptime formats tried in
    order for each value (``ISO8601`` and ``mixed`` are pandas' own parsers); empty: ``mixed``.
    ``export_time``: ``latest`` (the latest timestamp in the mapped time columns and in
    ``export_from``), or a timestamp. ``status``: a status column; a case whose status is in
    ``open_status`` is open (censored) even if it has a closed time, one in ``drop_status`` is
    not a case. ``if_absent``: the value a field takes when its column is not in the file (the
    field then holds that one value for every row; ``null``: the field is left out).
    ``separator``: the CSV's field separator (default ``,``).
    """

    created: str
    closed: str
    case_type: str
    area: str | None = None
    unit: str | None = None
    service: str | None = None
    date_format: tuple[str, ...] = ()
    export_time: str = "latest"
    export_from: tuple[str, ...] = ()
    status: str | None = None
    open_status: tuple[str, ...] = ()
    drop_status: tuple[str, ...] = ()
    if_absent: dict[str, str | None] = field(default_factory=dict)
    separator: str = ","
    source: str = "options"

    @classmethod
    def from_dict(cls, data: Any, source: str) -> LogMapping:
        """A mapping from a parsed YAML mapping, or ``ScenarioError`` naming the bad key."""
        def refuse(key: str, reason: str) -> ScenarioError:
            return ScenarioError([Problem(source, key, reason)])

        if not isinstance(data, dict):
            raise refuse("", f"a mapping file is a YAML mapping of keys, got {shown(data)}")
        known = {f.name for f in fields(cls)} - {"source"}
        for key in data:
            if key not in known:
                raise refuse(str(key), f"unknown key (known: {', '.join(sorted(known))})")
        for key in REQUIRED:
            if not isinstance(data.get(key), str) or not data[key].strip():
                raise refuse(key, "required: the name of the column that holds it")
        kwargs: dict[str, Any] = {"source": source}
        for key, value in data.items():
            if key in ("date_format", "export_from", "open_status", "drop_status"):
                values = [value] if isinstance(value, str) else value
                if values is None:
                    values = []
                if not isinstance(values, list) or not all(isinstance(v, str | int | float)
                                                           for v in values):
                    raise refuse(key, f"expected a list of strings, got {shown(value)}")
                kwargs[key] = tuple(str(v) for v in values)
            elif key == "if_absent":
                if not isinstance(value, dict) or not set(value) <= set(FIELDS):
                    raise refuse(key, "expected a mapping of field -> value, fields among "
                                      f"{', '.join(FIELDS)}; got {shown(value)}")
                kwargs[key] = {k: (None if v is None else str(v)) for k, v in value.items()}
            elif value is not None and not isinstance(value, str):
                raise refuse(key, f"expected a column name (text), got {shown(value)}")
            else:
                kwargs[key] = value
        return cls(**kwargs)


def load_mapping(mapping: LogMapping | str | Path) -> LogMapping:
    """A mapping: as given, from a YAML file, or a bundled one by name (``la311_2017``)."""
    if isinstance(mapping, LogMapping):
        return mapping
    path = Path(mapping)
    if not path.exists() and (MAPPINGS_DIR / f"{mapping}.yaml").exists():
        path = MAPPINGS_DIR / f"{mapping}.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        bundled = ", ".join(p.stem for p in bundled_mappings())
        raise ScenarioError([Problem(str(mapping), "", "mapping file not found (bundled "
                                                       f"mappings: {bundled})")]) from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ScenarioError([Problem(str(path), "", f"cannot read the mapping: {reason}")]
                            ) from None
    return LogMapping.from_dict(data, str(path))


def bundled_mappings() -> list[Path]:
    """The mapping files shipped with govsim."""
    return sorted(MAPPINGS_DIR.glob("*.yaml"))


@dataclass(frozen=True)
class CaseLog:
    """The cases of a log, with the moment it was exported (where open cases are censored).

    ``cases`` has the columns ``created``, ``closed`` (datetime64[ns]; NaT while open),
    ``case_type``, ``street``, ``department`` (str), and ``service`` when the mapping names a
    service or dispatch time.
    """

    cases: pd.DataFrame
    export_time: pd.Timestamp
    source: str

    @property
    def close_h(self) -> np.ndarray:
        """Hours from created to closed; NaN for a case still open at export."""
        return ((self.cases["closed"] - self.cases["created"]).dt.total_seconds()
                / 3600).to_numpy(dtype=float)

    @property
    def censored(self) -> np.ndarray:
        """True for a case open at export: its close time is only known to exceed
        ``observed_h``."""
        return self.cases["closed"].isna().to_numpy()

    @property
    def observed_h(self) -> np.ndarray:
        """The close time, or for an open case the hours it had been open at export."""
        open_for = ((self.export_time - self.cases["created"]).dt.total_seconds()
                    / 3600).to_numpy(dtype=float)
        return np.where(self.censored, open_for, self.close_h)

    @property
    def start(self) -> pd.Timestamp:
        """The first created time."""
        return self.cases["created"].min()

    def close_times(self, min_hours: float = MIN_HOURS) -> pd.DataFrame:
        """One row per case: ``hours`` (``observed_h``, at least ``min_hours``: the logs have
        minute resolution and a fit on log hours needs them positive), ``censored``, and the
        ``case_type``, ``street`` and ``department`` columns: the table the fits of
        ``sim.analysis.calibration`` read."""
        table = self.cases[["created", "case_type", "street", "department"]].copy()
        table["censored"] = self.censored
        table["hours"] = np.maximum(self.observed_h, min_hours)
        return table

    def period(self, start: Any, end: Any) -> CaseLog:
        """The cases created in [start, end); censoring is unchanged (a case closed after
        ``end`` is still closed: the log saw it close)."""
        start, end = pd.Timestamp(start), pd.Timestamp(end)
        keep = (self.cases["created"] >= start) & (self.cases["created"] < end)
        return CaseLog(self.cases[keep].reset_index(drop=True), self.export_time, self.source)


def _columns_by_lower_name(raw: pd.DataFrame) -> dict[str, str]:
    return {str(c).strip().lower(): c for c in raw.columns}


def _read_csv(path: Path, expected: Iterable[str], separator: str = ",") -> pd.DataFrame:
    """The CSV at ``path`` as text, or a ``ScenarioError`` saying in one line why not."""
    def refuse(reason: str) -> ScenarioError:
        return ScenarioError([Problem(str(path), "", reason)])

    try:
        return pd.read_csv(path, sep=separator, low_memory=False, encoding="utf-8", dtype=str,
                           keep_default_na=False, na_values=[""])
    except FileNotFoundError:
        raise refuse("file not found") from None
    except UnicodeDecodeError as exc:
        raise refuse(f"not UTF-8 text (byte at offset {exc.start}); export the log as UTF-8 "
                     "CSV") from None
    except OSError as exc:
        raise refuse(f"cannot read: {exc.strerror or exc}") from None
    except pd.errors.EmptyDataError:
        raise refuse(f"empty: no header row (expected the columns {', '.join(expected)})"
                     ) from None
    except (pd.errors.ParserError, ValueError) as exc:
        raise refuse(f"not a readable CSV: {str(exc).strip().splitlines()[-1]}") from None


def parse_times(values: pd.Series, formats: tuple[str, ...]) -> pd.Series:
    """Timestamps from text, each value by the first format that reads it (NaT if none)."""
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    for fmt in formats or ("mixed",):
        todo = out.isna() & values.notna()
        if not todo.any():
            break
        parsed = pd.to_datetime(values[todo], errors="coerce", format=fmt)
        out[todo] = parsed.astype("datetime64[ns]")
    return out


def _detect(raw: pd.DataFrame, path: Path) -> LogMapping:
    """The bundled mapping whose columns the file has and whose dates read the most rows."""
    columns = _columns_by_lower_name(raw)
    best, best_parsed = None, -1
    for candidate in (load_mapping(p) for p in bundled_mappings()):
        needed = [getattr(candidate, f) for f in FIELDS if getattr(candidate, f)
                  and f not in candidate.if_absent]
        if candidate.status:
            needed.append(candidate.status)
        if any(n.lower() not in columns for n in needed):
            continue
        parsed = int(parse_times(raw[columns[candidate.created.lower()]],
                                 candidate.date_format[:1]).notna().sum())
        if parsed > best_parsed:
            best, best_parsed = candidate, parsed
    if best is None:
        # Name the columns of the first bundled layout: the message says what a log needs.
        first = load_mapping(bundled_mappings()[0])
        wanted = [getattr(first, f) for f in ("created", "closed", "case_type", "unit")]
        missing = [c for c in [*wanted, first.status or ""] if c.lower() not in columns]
        raise ScenarioError([Problem(str(path), "", (
            f"missing column(s) {', '.join(missing)}: not a known log layout (bundled: "
            f"{', '.join(p.stem for p in bundled_mappings())}); give --mapping FILE naming "
            "the created, closed and case type columns"))])
    return best


def read_case_log(path: str | Path, mapping: LogMapping | str | Path | None = None) -> CaseLog:
    """The cases of the log at ``path``, read through ``mapping`` (a bundled one that fits the
    file's columns when None). A missing column, a bad mapping or a log with no usable case
    raises ``ScenarioError`` with one line naming the file, the key or column, and why."""
    path = Path(path)
    chosen = load_mapping(mapping) if mapping is not None else None
    expected = [getattr(chosen, f) for f in REQUIRED] if chosen else ["CreatedDate",
                                                                      "ClosedDate"]
    raw = _read_csv(path, expected, chosen.separator if chosen else ",")
    m = chosen or _detect(raw, path)
    columns = _columns_by_lower_name(raw)

    def column(key: str) -> pd.Series | None:
        name = getattr(m, key)
        if name is None:
            return None
        if name.lower() in columns:
            return raw[columns[name.lower()]]
        if key in m.if_absent:
            value = m.if_absent[key]
            return None if value is None else pd.Series([value] * len(raw), index=raw.index)
        raise ScenarioError([Problem(str(path), "", (
            f"missing column {name!r} (mapping {m.source}: {key}: {name}); the file has "
            f"{shown(list(raw.columns), 120)}"))])

    created = parse_times(column("created"), m.date_format)
    closed = parse_times(column("closed"), m.date_format)
    out = pd.DataFrame({"created": created, "closed": closed})
    for key, name in (("case_type", "case_type"), ("area", "street"), ("unit", "department")):
        values = column(key)
        text = values.fillna("?").astype(str) if values is not None else "?"
        out[name] = text if values is not None else pd.Series("?", index=raw.index)
    service = column("service")
    if service is not None:
        out["service"] = parse_times(service, m.date_format)
    keep = out["created"].notna()
    if m.status:
        status = column("status")
        if status is not None:
            status = status.fillna("").astype(str).str.strip()
            keep &= ~status.isin(m.drop_status)
            out.loc[status.isin(m.open_status), "closed"] = pd.NaT
    export = _export_time(m, raw, out, column, path)
    keep &= out["closed"].isna() | (out["closed"] >= out["created"])
    keep &= out["created"] <= export
    cases = out[keep].reset_index(drop=True)
    if cases.empty:
        raise ScenarioError([Problem(str(path), "", (
            "no usable request: every row is dropped by its status, has no valid created "
            f"time ({m.created}), or closes before it was created"))])
    return CaseLog(cases, export, str(path))


def _export_time(m: LogMapping, raw: pd.DataFrame, out: pd.DataFrame, column, path: Path
                 ) -> pd.Timestamp:
    if m.export_time.strip().lower() != "latest":
        try:
            return pd.Timestamp(m.export_time)
        except ValueError:
            raise ScenarioError([Problem(m.source, "export_time", (
                f"not a timestamp nor 'latest': {m.export_time!r}"))]) from None
    latest = [out["created"].max(), out["closed"].max()]
    columns = _columns_by_lower_name(raw)
    for name in m.export_from:
        if name.lower() in columns:
            latest.append(parse_times(raw[columns[name.lower()]], m.date_format).max())
    stamps = [t for t in latest if not pd.isna(t)]
    if not stamps:
        raise ScenarioError([Problem(str(path), "", (
            f"no usable request: no valid created time in column {m.created!r}"))])
    return max(stamps)


def log_digest(log: CaseLog) -> str:
    """A hash of what a fit or a check reads from a log: every case's times, type, street, department,
    and the export time."""
    cols = ["created", "closed", "case_type", "street", "department"]
    frame = log.cases[cols]
    digest = hashlib.sha256(pd.util.hash_pandas_object(frame, index=False).to_numpy()
                            .tobytes())
    digest.update(str(pd.Timestamp(log.export_time)).encode())
    return digest.hexdigest()[:16]
