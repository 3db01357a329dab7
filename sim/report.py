"""A study report: one self-contained HTML file for the result folder of a run, compare or sweep.

``build_report(folder)`` writes ``folder/report.html`` (figures embedded as base64 PNGs, styles
inline, no network access needed). Its sections follow the STRESS-DES reporting guideline for
discrete-event simulation studies (Monks et al., 2018, *Journal of Simulation* 13(1)):

1. objectives: the question, the outputs and how they are measured;
2. scenarios: what was run, and how the scenarios differ (a key-path diff of the *resolved*
   configurations, see ``sim.diff``);
3. logic: a description of the case flow, generated from the scenario itself so it cannot drift
   from what was simulated;
4. data and assumptions: every documented parameter with the comment of the scenario file that
   sets it (its source, or ASSUMPTION), read from the YAML files by a small line-based reader;
5. experimentation: replications, warm-up, run length, seeds, common random numbers;
6. implementation: package versions, git commit, command, timings (from ``manifest.json``);
7. results: tables with confidence intervals, the figures, pool utilisation, Little's law.

Folder layouts it reads (as ``govsim run``, ``compare`` and ``sweep`` write them):

run      ``cases.parquet summary.csv pools.csv manifest.json figures/``
compare  ``comparison.csv figures/ manifest.json{"kind": "compare"}`` and one run folder per
         scenario, ``DIR/<scenario name>/``
sweep    ``sweep.csv figures/ manifest.json{"kind": "sweep"}`` and ``points/<id>/`` run folders
"""

from __future__ import annotations

import base64
import html
import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sim.diff import diff_dicts, flatten, show
from sim.scenario.loader import scenario_from_dict
from sim.scenario.schema import UNLIMITED, Scenario
from sim.scenario.units import format_duration

STRESS_DES = ("Monks T, Currie CSM, Onggo BS, Robinson S, Kunc M, Taylor SJE (2019). "
              "Strengthening the reporting of empirical simulation studies: Introducing the "
              "STRESS guidelines. Journal of Simulation 13(1): 55-67 (online 2018).")


# =========================================================================== reading a folder

@dataclass
class RunFolder:
    """One scenario's run folder."""

    path: Path
    manifest: dict
    scenario: Scenario
    summary: pd.DataFrame | None
    pools: pd.DataFrame | None

    @property
    def name(self) -> str:
        return self.scenario.name


@dataclass
class Study:
    """What a report is made of: the kind of folder, its manifest and its run folders."""

    folder: Path
    kind: str  # run, compare or sweep
    manifest: dict
    runs: list[RunFolder]
    table: pd.DataFrame | None = None  # comparison.csv or sweep.csv
    scenario_files: dict[str, list[Path]] = field(default_factory=dict)


def _read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _read_csv(path: Path) -> pd.DataFrame | None:
    return pd.read_csv(path) if path.exists() else None


def read_run(path: Path) -> RunFolder:
    manifest = _read_json(path / "manifest.json")
    scenario = scenario_from_dict(manifest["scenario"], source=str(path / "manifest.json"))
    return RunFolder(path, manifest, scenario, _read_csv(path / "summary.csv"),
                     _read_csv(path / "pools.csv"))


def read_study(folder: str | Path) -> Study:
    """Recognise and read a run, compare or sweep folder."""
    folder = Path(folder)
    if not (folder / "manifest.json").exists():
        raise FileNotFoundError(f"{folder} has no manifest.json: not a govsim result folder")
    manifest = _read_json(folder / "manifest.json")
    kind = manifest.get("kind", "run")
    if kind == "compare":
        runs = []
        for name in manifest.get("scenarios", []):
            sub = folder / name
            if not (sub / "manifest.json").exists():
                sub = Path(manifest.get("folders", {}).get(name, sub))
            runs.append(read_run(sub))
        return Study(folder, kind, manifest, runs, _read_csv(folder / "comparison.csv"))
    if kind == "sweep":
        runs = [read_run(folder / "points" / p["id"]) for p in manifest.get("points", [])]
        return Study(folder, kind, manifest, runs, _read_csv(folder / "sweep.csv"))
    return Study(folder, "run", manifest, [read_run(folder)])


# =========================================================================== YAML comments

_KEY = re.compile(r"^(\s*)([A-Za-z_][\w\-]*|\"[^\"]+\"|'[^']+')\s*:(?:\s+|$)(.*)$")


def _trailing_comment(text: str) -> tuple[str, str]:
    """Split ``value  # comment`` (a ``#`` outside quotes, after a space) into its two parts."""
    quote = None
    for i, ch in enumerate(text):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch == "#" and (i == 0 or text[i - 1].isspace()):
            return text[:i].rstrip(), text[i + 1:].strip()
    return text.rstrip(), ""


@dataclass
class YamlComments:
    """The comments of one scenario file: a header and one text per key path."""

    path: Path
    header: str
    by_key: dict[str, str]
    extends: str | None


def read_yaml_comments(path: str | Path) -> YamlComments:
    """Comments of a YAML file keyed by key path (``departments.housing.staff``).

    A comment at the end of a key's line, and the comment lines just above it, belong to that
    key; the comment lines at the top of the file (before the first key) are its header. Block
    scalars (``description: >-``) are skipped. Good enough for scenario files written by hand;
    it does not pretend to be a YAML parser (the values come from the resolved scenario).
    """
    path = Path(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    header: list[str] = []
    pending: list[str] = []
    by_key: dict[str, str] = {}
    stack: list[tuple[int, str]] = []
    seen_key = False
    block_indent: int | None = None
    last_path: str | None = None
    extends = None
    for line in lines:
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        if block_indent is not None:
            if not stripped or indent > block_indent:
                continue
            block_indent = None
        if not stripped:
            if not seen_key and pending:
                header += pending + [""]
            pending = []
            continue
        if stripped.startswith("#"):
            pending.append(stripped[1:].strip())
            continue
        match = _KEY.match(line)
        if not match:
            # A continuation line (a long flow list); its comment belongs to the last key.
            _, comment = _trailing_comment(stripped)
            if comment and last_path:
                by_key[last_path] = (by_key.get(last_path, "") + " " + comment).strip()
            continue
        if not seen_key and pending and not stack:
            header += pending
            pending = []
        seen_key = True
        key = match.group(2).strip("\"'")
        while stack and stack[-1][0] >= indent:
            stack.pop()
        key_path = ".".join([k for _, k in stack] + [key])
        value, comment = _trailing_comment(match.group(3))
        if key_path == "extends":
            extends = value.strip("\"'")
        text = " ".join([*pending, comment]).strip()
        if text:
            by_key[key_path] = text
        pending = []
        last_path = key_path
        if value.startswith(("|", ">")):
            block_indent = indent
        stack.append((indent, key))
    return YamlComments(path, "\n".join(header).strip(), by_key, extends)


def comment_chain(path: Path) -> list[YamlComments]:
    """The comments of a scenario file and of every file it ``extends``, parent first."""
    chain: list[YamlComments] = []
    seen: set[Path] = set()
    current: Path | None = path.resolve()
    while current is not None and current.exists() and current not in seen:
        seen.add(current)
        comments = read_yaml_comments(current)
        chain.insert(0, comments)
        current = (current.parent / comments.extends).resolve() if comments.extends else None
    return chain


def find_scenario_files(study: Study, extra: Iterable[str | Path] = ()) -> dict[str, Path]:
    """Scenario name -> the YAML file it was loaded from, when it can be found.

    Candidates are ``extra``, the ``.yaml`` arguments of the recorded command (tried as given,
    relative to the result folder and its parents, and in the bundled ``scenarios/``), then every
    file of ``./scenarios/`` and the bundled ``scenarios/``. A file counts only if its ``name``
    matches a scenario of the study; ``data_section`` then checks that it resolves to the
    scenario that was run.
    """
    import yaml

    args = [str(a) for a in extra]
    for m in [study.manifest, *[r.manifest for r in study.runs]]:
        args += [a for a in m.get("command") or [] if str(a).endswith((".yaml", ".yml"))]
    # Then any scenario file of the current and the bundled scenarios folders, by name.
    for folder in (Path.cwd() / "scenarios", Path(__file__).resolve().parents[1] / "scenarios"):
        args += sorted(str(p) for p in folder.glob("*.yaml"))
    roots = [Path.cwd(), study.folder, *study.folder.resolve().parents,
             Path(__file__).resolve().parents[1]]
    wanted = {r.name for r in study.runs} | {study.manifest.get("base", "")}
    found: dict[str, Path] = {}
    for arg in dict.fromkeys(args):
        p = Path(arg)
        options = [p] if p.is_absolute() else [root / p for root in roots]
        options.append(Path(__file__).resolve().parents[1] / "scenarios" / p.name)
        for option in options:
            if not option.is_file():
                continue
            try:
                chain = [option]
                data = yaml.safe_load(option.read_text(encoding="utf-8")) or {}
                name = data.get("name")
                while name is None and data.get("extends"):
                    chain.append(chain[-1].parent / data["extends"])
                    data = yaml.safe_load(chain[-1].read_text(encoding="utf-8")) or {}
                    name = data.get("name")
            except (OSError, yaml.YAMLError):
                continue
            if name in wanted and name not in found:
                found[name] = option
                break
    return found


# =========================================================================== text helpers

_DURATION_FIELDS = {"mean", "value", "low", "high", "mode", "scale", "median"}


def describe_distribution(d: Any, unit: str = "h") -> str:
    """``lognormal(mean 50min, cv 0.4)``; ``unit='working days'`` for paperwork delays."""
    data = d.model_dump(by_alias=True) if hasattr(d, "model_dump") else dict(d)
    kind = data.pop("kind")
    parts = []
    for key, value in data.items():
        if value is None:
            continue
        if isinstance(value, bool):
            parts.append(f"{key} {value}")
        elif key == "values":
            parts.append(f"{len(value)} observed values")
        elif key in _DURATION_FIELDS and unit == "h":
            parts.append(f"{key} {format_duration(float(value))}")
        elif key in _DURATION_FIELDS:
            parts.append(f"{key} {float(value):g} {unit}")
        else:
            parts.append(f"{key} {value:g}" if isinstance(value, float) else f"{key} {value}")
    if kind == "fixed":
        return parts[0].removeprefix("value ") if parts else "0"
    return f"{kind}({', '.join(parts)})"


def _staff(n: int) -> str:
    return "unlimited" if n >= UNLIMITED else str(n)


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def _span(values: list, fmt=str) -> str:
    uniq = list(dict.fromkeys(values))
    if len(uniq) == 1:
        return fmt(uniq[0])
    return f"{fmt(min(uniq))} to {fmt(max(uniq))}"


def case_routes(s: Scenario) -> dict[str, str]:
    """How each case type is routed at first triage (in words), as the model's policy does."""
    wh, sk = s.reform.whistle, s.reform.sinking
    out = {}
    extra = set(sk.powers) if sk.enabled else set()
    for name, ct in s.case_types.items():
        n = len(ct.departments)
        if n == 0:
            out[name] = "street staff (no department needed)"
            continue
        with_power = [st for st in s.streets.values() if name in st.powers or name in extra]
        if len(with_power) == len(s.streets):
            out[name] = "street (on its power list)"
            continue
        # The centre pools the stationed teams (of centre_departments, if listed); it takes a
        # multi-department case only when every department it needs is a member.
        members = {d for d in s.departments if sk.fraction_for(d) > 0
                   and (not sk.centre_departments or d in sk.centre_departments)}
        if (sk.enabled and sk.integrated_centre and n > 1
                and all(d in members for d in ct.departments)):
            route = "integrated enforcement centre (one visit)"
        elif wh.enabled and (wh.trigger.types == "all" or name in wh.trigger.types
                             or (wh.trigger.min_departments is not None
                                 and n >= wh.trigger.min_departments)):
            route = "whistle: " + " + ".join(ct.departments) + " summoned at once"
        else:
            route = "referral: " + " → ".join(ct.departments)
            if wh.enabled and wh.trigger.after_wait is not None:
                route += f" (whistled after {format_duration(wh.trigger.after_wait)})"
        if with_power:
            route = f"street in {len(with_power)} of {len(s.streets)} streets; else {route}"
        out[name] = route
    return out


def case_flow_paragraphs(s: Scenario) -> list[str]:
    """The logic of the model for this scenario, in plain sentences generated from its values."""
    streets = list(s.streets.values())
    grids = sum(st.grids for st in streets)
    per_day = sum(ct.rate for ct in s.case_types.values()) * grids
    wh, sk = s.reform.whistle, s.reform.sinking
    paras = []
    profile = "a flat hour-of-day profile" if len(set(s.district.hour_profile)) == 1 else \
        "an hour-of-day profile (peak/trough ratio " \
        f"{max(s.district.hour_profile) / max(min(s.district.hour_profile), 1e-9):.1f})"
    paras.append(
        f"<b>Occurrence.</b> The district has {len(streets)} street(s) with {grids} grids in "
        f"all, {len(s.departments)} department(s) and {len(s.case_types)} case type(s). Problems "
        f"of each type occur in each street as a Poisson process at the type's rate per grid per "
        f"day (about {per_day:.0f} a day in the district), following {profile}; grids differ "
        f"in how many problems they see (gamma weights, cv {s.district.grid_heterogeneity_cv:g}).")
    cover = _span([st.patrol.coverage for st in streets], _pct)
    if sk.enabled and sk.grid_coverage is not None:
        cover = f"{_pct(sk.grid_coverage)} (raised by the sinking reform)"
    delays = _span([st.patrol.mean_delay for st in streets], format_duration)
    calls = _span([ct.citizen_call_share for ct in s.case_types.values()], _pct)
    paras.append(
        f"<b>Discovery.</b> A grid worker's patrol finds a problem in a covered grid after an "
        f"exponential delay (mean {delays}); patrol coverage is {cover} of grids. A citizen "
        f"calls the hotline for {calls} of problems (share by type), after the type's call "
        f"delay. Whichever comes first reports the case to the street platform after the "
        f"report delay ({_span([describe_distribution(st.report_delay) for st in streets])}). "
        + ("Some minor problems found on patrol are fixed on the spot by the grid worker ("
           + ", ".join(f"{n} {_pct(ct.on_spot_share)}" for n, ct in s.case_types.items()
                       if ct.on_spot_share > 0) + ")."
           if any(ct.on_spot_share > 0 for ct in s.case_types.values()) else ""))
    disp = _span([st.dispatchers for st in streets], _staff)
    paras.append(
        f"<b>Triage.</b> The street's dispatch centre ({disp} dispatcher(s) per street) triages "
        f"each case ({describe_distribution(s.triage.time)} each) and routes it by its type: "
        "see the table of case types below.")
    if any(r.startswith(("referral", "street in")) for r in case_routes(s).values()):
        ref = s.referral
        paras.append(
            "<b>Referral (before the reforms).</b> A referred case goes to the departments it "
            "needs one after another. Each referral passes through paperwork of "
            f"{describe_distribution(ref.admin_delay_working_days, 'working days')} counted in "
            "the department's working days; the department may bounce it back as not its own "
            f"(returning after {describe_distribution(ref.bounce_return_working_days, 'working days')}"
            ") or it may first be misrouted to another department. "
            + ("Referred cases queue behind whistled ones." if wh.enabled
               and wh.priority != "none" else "Departments serve their queue first come, "
               "first served."))
    if wh.enabled:
        trig = wh.trigger
        rules = []
        if trig.types == "all":
            rules.append("every case")
        elif trig.types:
            rules.append("types " + ", ".join(trig.types))
        if trig.min_departments is not None:
            rules.append(f"cases needing at least {trig.min_departments} departments")
        if trig.after_street_failure:
            rules.append("cases the street failed to solve itself")
        if trig.after_wait is not None:
            rules.append(f"referred cases still open after {format_duration(trig.after_wait)}")
        paras.append(
            "<b>Whistle-and-report (街乡吹哨、部门报到).</b> The street whistles for "
            + "; ".join(rules) + ". Every needed department is summoned at once (signal delay "
            f"{format_duration(wh.signal_delay)}); whistled cases take {wh.priority.replace('_', '-')} "
            f"priority in the departments' queues, with a report deadline of "
            f"{format_duration(wh.report_within)}; out of office hours departments "
            + ("answer with on-call staff (" + _pct(wh.on_call_share) + " of their staff)"
               if wh.after_hours == "on_call" else "come when they open")
            + f". Work starts when every summoned team is on site and takes the {wh.joint_work} "
            f"of their work contents. Bouncing is multiplied by {wh.bounce_factor:g} under the "
            "street's assessment power. "
            + (f"The street verifies every result ({describe_distribution(wh.verification.time)}); "
               "an unsolved case goes back to triage (closed loop)."
               if wh.verification.enabled else "Results are not verified by the street."))
    if sk.enabled:
        frac = (", ".join(f"{d} {_pct(f)}" for d, f in sk.fraction.items())
                if isinstance(sk.fraction, dict) else _pct(sk.fraction))
        paras.append(
            "<b>Resource sinking (资源下沉).</b> A fraction of each department's staff ("
            f"{frac}) is stationed at streets, allocated {sk.allocation}ly to their expected "
            "demand" if sk.allocation == "proportional" else
            "<b>Resource sinking (资源下沉).</b> A fraction of each department's staff ("
            f"{frac}) is stationed at streets, equally per street")
        paras[-1] += (
            "; a case finding its stationed team busy "
            + ("goes to the central pool" if sk.overflow == "central" else "waits for the team")
            + ". "
            + (f"Streets gain powers over {', '.join(sk.powers)}. " if sk.powers else "")
            + ("Stationed teams pool into an integrated enforcement centre that handles a "
               f"multi-department case in one visit ({sk.centre_work} of the work contents). "
               if sk.integrated_centre else ""))
    quality = {n: ct.quality_failure for n, ct in s.case_types.items() if ct.quality_failure}
    closed = wh.enabled and wh.verification.enabled
    paras.append(
        "<b>Closing.</b> "
        + ("With the closed loop, a case is closed after the street's verification; one found "
           "unsolved is triaged again at once. " if closed else
           "Without a closed loop a case is closed on the handler's word; one closed unsolved "
           f"comes back when the citizen calls again "
           f"({describe_distribution(s.reopen.citizen_recall)} later). ")
        + ("Handling fails to solve the problem with probability "
           + ", ".join(f"{n} {_pct(q)}" for n, q in quality.items()) + ". " if quality else
           "Handling always solves the problem. ")
        + f"A case is reopened at most {s.reopen.max_reopens} times.")
    paras.append(
        "<b>Outputs.</b> Response time is <code>t_resolved − t_report</code>, from the report on "
        "the street platform to the moment the problem is really solved (after any reopenings). "
        f"Cases occur until the horizon ({format_duration(s.simulation.horizon)}); the run then "
        f"drains for up to {format_duration(s.simulation.drain_limit)}, and a case still open "
        f"is censored (kept, counted as infinitely long in quantiles). Cases reported in the "
        f"warm-up ({format_duration(s.simulation.warmup)}) are left out of the statistics.")
    return paras


# =========================================================================== HTML helpers

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans CJK SC",sans-serif;
 max-width:1180px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.7em;margin-bottom:.2em}h2{border-bottom:2px solid #4477aa;padding-bottom:.2em;
 margin-top:2em}h3{margin-top:1.4em}
table{border-collapse:collapse;margin:.6em 0;font-size:.86em}
th,td{border:1px solid #ccc;padding:3px 7px;text-align:left;vertical-align:top}
th{background:#eef2f7}td.num{text-align:right;font-variant-numeric:tabular-nums}
figure{margin:1em 0}figure img{max-width:100%;border:1px solid #ddd}
figcaption{font-size:.85em;color:#555}
.src{color:#1a6b2e}.assume{color:#a0522d}.muted{color:#666;font-size:.9em}
code{background:#f4f4f4;padding:0 3px}details{margin:.5em 0}
nav ol{columns:2}
"""


def esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def html_table(frame: pd.DataFrame, numeric: Iterable[str] = (),
               markup: dict | None = None) -> str:
    """A DataFrame as an HTML table; cell text is escaped, except that a column in ``markup``
    is rendered by its function (which must escape what it does not mark up)."""
    numeric, markup = set(numeric), markup or {}
    head = "".join(f"<th>{esc(c)}</th>" for c in frame.columns)
    rows = []
    for _, r in frame.iterrows():
        cells = "".join(
            f"<td>{markup[c](v)}</td>" if c in markup else
            f'<td class="num">{esc(v)}</td>' if c in numeric else f"<td>{esc(v)}</td>"
            for c, v in r.items())
        rows.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def figure_html(path: Path, caption: str) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return (f'<figure><img alt="{esc(caption)}" src="data:image/png;base64,{data}">'
            f"<figcaption>{esc(caption)}</figcaption></figure>")


def fmt_ci(value: float, hw: float | None, digits: int = 2, pct: bool = False) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    scale, suffix = (100.0, "%") if pct else (1.0, "")
    if isinstance(value, float) and math.isinf(value):
        return "∞"
    text = f"{value * scale:,.{digits}f}{suffix}"
    if hw is not None and not (isinstance(hw, float) and math.isnan(hw)):
        text += " ± ∞" if math.isinf(hw) else f" ± {hw * scale:,.{digits}f}"
    return text


_PCT_METRICS = {"resolved_share", "deadline_met_share"}


def summary_display(summary: pd.DataFrame) -> pd.DataFrame:
    """``summary.csv`` as a table of ``value ± half-width`` strings."""
    from sim.analysis.summary import METRIC_LABELS, METRICS

    rows = []
    for _, r in summary.iterrows():
        row = {"case type": r["case_type"]}
        for m in METRICS:
            if m not in r:
                continue
            digits = 0 if m in ("n", "censored") else 1
            row[METRIC_LABELS.get(m, m)] = fmt_ci(r[m], r.get(f"{m}_hw"), digits,
                                                  m in _PCT_METRICS)
        rows.append(row)
    return pd.DataFrame(rows)


# =========================================================================== sections

def _section(anchor: str, title: str, body: str) -> str:
    return f'<section id="{anchor}"><h2>{esc(title)}</h2>{body}</section>'


def objectives_section(study: Study) -> str:
    names = [r.name for r in study.runs]
    if study.kind == "compare":
        question = (f"Compare {len(names)} scenarios ({', '.join(names)}) with the first, "
                    f"<b>{esc(names[0])}</b>, as baseline: how do response times change, and is "
                    "each change larger than the simulation noise (paired differences on common "
                    "random numbers)?")
    elif study.kind == "sweep":
        vary = study.manifest.get("vary", {})
        question = (f"How do response times of <b>{esc(study.manifest.get('base', ''))}</b> "
                    f"change as {', '.join(f'<code>{esc(k)}</code>' for k in vary)} vary "
                    f"({len(study.runs)} points)?")
    else:
        question = (f"Estimate the distribution of response times of scenario "
                    f"<b>{esc(names[0])}</b>, with confidence intervals.")
    shown = study.runs[:1] if study.kind == "sweep" else study.runs
    descs = "".join(f"<li><b>{esc(r.name)}</b>: {esc(r.scenario.description or '(no description)')}"
                    "</li>" for r in shown)
    return _section("objectives", "1. Objectives", f"""
<p>{question}</p>
<p>The model (govsim) is a discrete-event simulation of grassroots urban governance in a city
district: grid workers discover problems, street committees triage them, district departments
handle them, before and after the reforms "street whistles, departments report" (街乡吹哨、部门报到)
and "resource sinking" (资源下沉).</p>
<p><b>Outputs.</b> Response time (hours from the report on the street platform to the real
resolution): its mean, median, p90 and p95; the share of cases resolved and the share resolved
within their type's deadline; staff utilisation per pool. Every statistic is computed per
replication, then averaged with a Student-t confidence interval across replications.</p>
<ul>{descs}</ul>""")


def _diff_table(base: dict, other: dict) -> pd.DataFrame:
    rows = [{"key path": d.path, "baseline": show(d.a), "this scenario": show(d.b)}
            for d in diff_dicts(base, other) if d.path not in ("name", "description")]
    return pd.DataFrame(rows, columns=["key path", "baseline", "this scenario"])


def scenarios_section(study: Study) -> str:
    from sim.scenario.loader import resolved_dict

    parts = []
    if study.kind == "run":
        s = study.runs[0].scenario
        parts.append(f"<p>One scenario, <b>{esc(s.name)}</b>. Its resolved configuration "
                     "(every value, defaults included) is listed under <i>Data and "
                     "assumptions</i> and stored in <code>manifest.json</code>.</p>")
    elif study.kind == "compare":
        base = study.runs[0]
        parts.append(f"<p>Each scenario is compared with <b>{esc(base.name)}</b>. The tables "
                     "list every key path of the <i>resolved</i> configurations (after "
                     "<code>extends</code>, street defaults and schema defaults) whose value "
                     "differs; everything else is identical (same output as "
                     "<code>govsim diff</code>).</p>")
        for r in study.runs[1:]:
            table = _diff_table(resolved_dict(base.scenario), resolved_dict(r.scenario))
            parts.append(f"<h3>{esc(base.name)} → {esc(r.name)}: {len(table)} difference(s)</h3>"
                         + (html_table(table) if len(table) else "<p>None.</p>"))
    else:
        vary = study.manifest.get("vary", {})
        parts.append("<p>The sweep varies these keys of the base scenario (all combinations); "
                     "every other value is the base scenario's.</p>")
        parts.append(html_table(pd.DataFrame(
            [{"key path": k, "values": ", ".join(show(v) for v in vals)}
             for k, vals in vary.items()])))
        points = pd.DataFrame([{"point": p["id"], **{k: show(v) for k, v in
                                                     p.get("values", {}).items()}}
                               for p in study.manifest.get("points", [])])
        parts.append("<details><summary>All points</summary>" + html_table(points)
                     + "</details>")
    return _section("scenarios", "2. Scenarios and how they differ", "".join(parts))


def _case_type_table(s: Scenario) -> pd.DataFrame:
    routes = case_routes(s)
    rows = []
    for name, ct in s.case_types.items():
        work = ("; ".join(f"{d}: {describe_distribution(ct.work_for(d))}" for d in ct.departments)
                if ct.departments else describe_distribution(ct.street_work)
                if ct.street_work else "–")
        rows.append({"case type": f"{name} {ct.label}".strip(), "rate /grid/day": f"{ct.rate:g}",
                     "departments": ", ".join(ct.departments) or "–",
                     "deadline": format_duration(ct.deadline), "work": work,
                     "route at first triage": routes[name],
                     "bounce": _pct(ct.bounce_prob), "quality failure": _pct(ct.quality_failure)})
    return pd.DataFrame(rows)


def _department_table(s: Scenario) -> pd.DataFrame:
    sk = s.reform.sinking
    rows = []
    for name, d in s.departments.items():
        cal = s.calendars[d.calendar]
        row = {"department": f"{name} {d.label}".strip(), "staff": _staff(d.staff),
               "calendar": f"{d.calendar} ({', '.join(cal.days)} "
                           f"{format_duration(cal.open)}–{format_duration(cal.close)})",
               "travel from headquarters": describe_distribution(d.travel_time)}
        if sk.enabled:
            row["share stationed at streets"] = _pct(sk.fraction_for(name))
        rows.append(row)
    return pd.DataFrame(rows)


def logic_section(study: Study) -> str:
    parts = ["<p>Generated from the resolved scenario, so it describes exactly what was "
             "simulated. Each case is a SimPy process: triage → route → handling by a staff "
             "pool (a person per case; queues wait for a free person, and a person starts only "
             "while the pool's calendar is open) → closing.</p>"]
    runs = study.runs if study.kind == "compare" else study.runs[:1]
    first_paras: list[str] = []
    first_tables: tuple = ()
    for i, r in enumerate(runs):
        paras = case_flow_paragraphs(r.scenario)
        tables = (_case_type_table(r.scenario), _department_table(r.scenario))
        if i == 0:
            first_paras, first_tables = paras, tables
            if len(runs) > 1:
                parts.append(f"<h3>{esc(r.name)}</h3>")
            parts += [f"<p>{p}</p>" for p in paras]
        else:
            # Later scenarios: only what reads differently from the first.
            parts.append(f"<h3>{esc(r.name)}: what differs from {esc(runs[0].name)}</h3>")
            changed = [p for p in paras if p not in first_paras]
            parts += [f"<p>{p}</p>" for p in changed] or ["<p>The same description.</p>"]
        if i == 0 or not tables[0].equals(first_tables[0]):
            parts.append("<h4>Case types</h4>" + html_table(tables[0]))
        if i == 0 or not tables[1].equals(first_tables[1]):
            parts.append("<h4>Departments</h4>" + html_table(tables[1]))
    if study.kind == "sweep":
        parts.append("<p class=muted>Described for the first sweep point; the others differ "
                     "only in the varied keys.</p>")
    return _section("logic", "3. Model logic (case flow)", "".join(parts))


def _tag(comment: str) -> str:
    text = esc(comment)
    text = re.sub(r"(\[D§\d+\]|\[[A-Z][^\]]{0,40}\])", r'<span class="src">\1</span>', text)
    return text.replace("ASSUMPTION", '<span class="assume">ASSUMPTION</span>')


def _node(data: Any, path: str) -> Any:
    """The value at a dotted key path of nested dicts (``None`` if absent)."""
    node = data
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def node_text(node: Any, unit: str = "h") -> str:
    """A resolved value in words: a distribution described, a small mapping inline, a large
    one summarised."""
    if isinstance(node, dict) and "kind" in node:
        return describe_distribution({k: v for k, v in node.items() if v is not None}, unit)
    if isinstance(node, dict):
        leaves = flatten(node)
        if len(leaves) > 6:
            return f"({len(leaves)} values: see the logic tables and the full list below)"
        return "; ".join(f"{k}={show(v)}" for k, v in leaves.items())
    return show(node)


def parameter_rows(scenario: Scenario, chain: list[YamlComments]) -> pd.DataFrame:
    """Every documented key path: resolved value, comment and file (for the data section)."""
    from sim.scenario.loader import resolved_dict

    data = resolved_dict(scenario)
    documented: dict[str, tuple[str, str]] = {}
    for comments in chain:
        for key, text in comments.by_key.items():
            documented[key] = (text, comments.path.name)
    rows = []
    for key, (text, source) in documented.items():
        if key.startswith("street_defaults."):
            field_ = key.split(".", 1)[1]
            values = [node_text(_node(street, field_)) for street in data["streets"].values()]
            value = (values[0] if values and all(v == values[0] for v in values)
                     else "varies by street")
        elif key == "street_defaults":
            value = ""
        else:
            value = node_text(_node(data, key),
                              "working days" if key.endswith("_working_days") else "h")
        if len(value) > 160:
            value = value[:157] + "…"
        rows.append({"key path": key, "resolved value": value, "comment / source": text,
                     "file": source})
    return pd.DataFrame(rows, columns=["key path", "resolved value", "comment / source", "file"])


def _file_mismatch(path: Path, scenario: Scenario) -> str:
    """A warning if the file no longer resolves to the scenario that was run."""
    from sim.diff import diff_scenarios
    from sim.scenario.errors import ScenarioError
    from sim.scenario.loader import load_scenario

    try:
        diffs = diff_scenarios(load_scenario(path), scenario)
    except ScenarioError:
        return f"{path.name} no longer validates; the values below are the run's."
    if not diffs:
        return ""
    paths = ", ".join(d.path for d in diffs[:5]) + (" …" if len(diffs) > 5 else "")
    return (f"{path.name} now resolves differently from the run in {len(diffs)} key path(s) "
            f"({paths}): edited since, or changed by --set. The values below are the run's; "
            "the comments are the file's.")


def data_section(study: Study, files: dict[str, Path]) -> str:
    from sim.scenario.loader import resolved_dict

    parts = ["<p>Parameters documented in the scenario files, with the comment that documents "
             'each: <span class="src">[D§4]</span> marks a published fact (the facts listed in '
             'DESIGN.md §4, with their sources), <span class="assume">ASSUMPTION</span> a value '
             "chosen by the modeller. Values are the resolved ones (durations in hours). A "
             "street's field documented under <code>street_defaults</code> applies to every "
             "street that does not set it.</p>"]
    shown_files: set[Path] = set()
    runs = study.runs if study.kind == "compare" else study.runs[:1]
    for r in runs:
        path = files.get(r.name) or (files.get(study.manifest.get("base", ""))
                                     if study.kind == "sweep" else None)
        if path is None:
            parts.append(f"<h3>{esc(r.name)}</h3><p class=muted>Scenario file not found (the "
                         "run may have been made from a Python dict); the resolved values are "
                         "listed without comments below.</p>")
            continue
        chain = comment_chain(path)
        new = [c for c in chain if c.path not in shown_files]
        mismatch = _file_mismatch(path, r.scenario) if study.kind != "sweep" else ""
        shown_files.update(c.path for c in chain)
        parts.append(f"<h3>{esc(r.name)} <span class=muted>({esc(path.name)}"
                     + (", extends " + ", ".join(esc(c.path.name) for c in chain[:-1])
                        if len(chain) > 1 else "") + ")</span></h3>")
        if mismatch:
            parts.append(f"<p class=assume>{esc(mismatch)}</p>")
        for c in new:
            if c.header:
                parts.append(f"<p class=muted><b>{esc(c.path.name)}:</b> "
                             + _tag(c.header).replace("\n", "<br>") + "</p>")
        rows = parameter_rows(r.scenario, new if new else chain[-1:])
        if len(rows):
            parts.append(html_table(rows, markup={"comment / source": _tag}))
    first = study.runs[0]
    flat = flatten(resolved_dict(first.scenario))
    full = pd.DataFrame([{"key path": k, "value": show(v)} for k, v in flat.items()])
    parts.append(f"<details><summary>Every resolved value of {esc(first.name)} "
                 f"({len(full)} key paths)</summary>{html_table(full)}</details>")
    return _section("data", "4. Data and assumptions", "".join(parts))


def experimentation_section(study: Study) -> str:
    m = study.manifest
    first = study.runs[0]
    sim_ = first.scenario.simulation
    reps = m.get("replications", first.manifest.get("replications"))
    conf = m.get("confidence", first.manifest.get("confidence", 0.95))
    rows = [
        ("replications", reps),
        ("root seed", m.get("seed", first.manifest.get("seed"))),
        ("random streams", first.manifest.get("stream_seeds", "")),
        ("common random numbers", "yes: every scenario uses the same seed and replication "
         "indices, so replication r of each sees the same cases"
         if study.kind != "run" else "n/a (one scenario)"),
        ("run length (horizon)", f"{format_duration(sim_.horizon)}: cases occur until then"),
        ("warm-up", f"{format_duration(sim_.warmup)}: cases reported earlier are left out"),
        ("drain limit", f"{format_duration(sim_.drain_limit)} after the horizon"),
        ("confidence level", f"{conf:.0%} (Student t across replications)"),
        ("backend / workers", f"{m.get('backend', first.manifest.get('backend'))} / "
                              f"{m.get('workers', first.manifest.get('workers')) or 'default'}"),
    ]
    if m.get("precision"):
        rows.append(("precision target", show(m["precision"])))
    lengths = {(r.scenario.simulation.horizon, r.scenario.simulation.warmup) for r in study.runs}
    note = ("" if len(lengths) == 1 else
            "<p>Scenarios differ in horizon or warm-up; see each scenario's manifest.</p>")
    table = pd.DataFrame(rows, columns=["item", "value"])
    return _section("experimentation", "5. Experimentation", html_table(table) + note)


def implementation_section(study: Study) -> str:
    m = study.manifest
    first = study.runs[0].manifest
    versions = m.get("versions") or first.get("versions") or {}
    command = m.get("command") or first.get("command") or []
    timings = m.get("timings") or first.get("timings") or {}
    rows = [("software", "govsim (Python, SimPy); this report by `govsim report`"),
            ("git commit", m.get("git_commit") or first.get("git_commit") or "unknown"),
            ("command", " ".join(str(c) for c in command)),
            ("wall time", f"{timings.get('wall_s', float('nan')):.1f} s"
             if isinstance(timings.get("wall_s"), (int, float)) else "–")]
    rows += [(f"version: {k}", v) for k, v in versions.items()]
    table = pd.DataFrame(rows, columns=["item", "value"])
    return _section("implementation", "6. Implementation", html_table(table)
                    + "<p class=muted>Re-running the command at this commit gives the same "
                      "numbers: every random stream is derived from (seed, replication, stream "
                      "name), whatever the backend and number of workers.</p>")


def _comparison_display(table: pd.DataFrame, confidence: float) -> pd.DataFrame:
    from sim.analysis.summary import METRIC_LABELS

    data = table[table["case_type"] == "ALL"]
    rows = []
    for metric, g in data.groupby("metric", sort=False):
        pct = metric in _PCT_METRICS
        digits = 0 if metric in ("n", "censored") else 1
        row = {"metric": METRIC_LABELS.get(metric, metric)}
        for _, r in g.iterrows():
            row[str(r["scenario"])] = fmt_ci(r["value"], r.get("value_hw"), digits, pct)
            if r["scenario"] != r.get("baseline", None):
                lo, hi = r.get("diff_lo"), r.get("diff_hi")
                scale = 100 if pct else 1
                row[f"Δ {r['scenario']}"] = (
                    f"{r['diff'] * scale:+,.{digits}f} [{lo * scale:,.{digits}f}, "
                    f"{hi * scale:,.{digits}f}]" if pd.notna(r.get("diff")) and pd.notna(lo)
                    else "–")
        rows.append(row)
    return pd.DataFrame(rows)


def _sweep_display(table: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    from sim.analysis.summary import METRIC_LABELS

    data = table[table["case_type"] == "ALL"]
    rows = []
    for _, g in data.groupby("point", sort=False):
        row = {k: g[k].iloc[0] for k in keys if k in g}
        for _, r in g.iterrows():
            m = r["metric"]
            if m in ("n", "censored"):
                continue
            row[METRIC_LABELS.get(m, m)] = fmt_ci(r["value"], r.get("value_hw"), 1,
                                                  m in _PCT_METRICS)
        rows.append(row)
    return pd.DataFrame(rows)


def _figures_in(folder: Path, label: str) -> list[str]:
    figs = sorted((folder / "figures").glob("*.png")) if (folder / "figures").exists() else []
    return [figure_html(p, f"{label}: {p.stem.replace('_', ' ')}") for p in figs]


def _little_table(runs: list[RunFolder]) -> pd.DataFrame:
    rows = []
    for r in runs:
        little = r.manifest.get("littles_law") or {}
        if "L" in little:
            rows.append({"scenario": r.name, "L (time-average in system)": f"{little['L']:.2f}",
                         "λW (reported rate × mean stay)": f"{little['lambda_W']:.2f}",
                         "largest relative gap (edge effects)": f"{little.get('max_rel_gap', float('nan')):.2%}",
                         "exact identity, largest error": f"{little.get('max_identity_gap', float('nan')):.1e}",
                         "window (h)": show(little.get("window"))})
    return pd.DataFrame(rows)


def results_section(study: Study) -> str:
    conf = study.manifest.get("confidence", study.runs[0].manifest.get("confidence", 0.95))
    parts = [f"<p>Means across replications with {conf:.0%} confidence half-widths (±). "
             "Warm-up cases are left out; censored cases count as infinitely long in the "
             "quantiles.</p>"]
    if study.kind == "compare" and study.table is not None and len(study.table):
        parts.append("<h3>Comparison (all case types)</h3><p>Δ: paired difference to "
                     f"<b>{esc(study.runs[0].name)}</b> with its {conf:.0%} CI in brackets; an "
                     "interval that excludes 0 is a difference beyond the simulation noise.</p>")
        parts.append(html_table(_comparison_display(study.table, conf)))
        parts += _figures_in(study.folder, "comparison")
    if study.kind == "sweep" and study.table is not None and len(study.table):
        keys = list(study.manifest.get("vary", {}))
        parts.append("<h3>Sweep (all case types)</h3>"
                     + html_table(_sweep_display(study.table, keys)))
        parts += _figures_in(study.folder, "sweep")
    runs = study.runs if study.kind != "sweep" else []
    for r in runs:
        parts.append(f"<h3>{esc(r.name)}</h3>")
        if r.summary is not None:
            parts.append(html_table(summary_display(r.summary)))
        if r.pools is not None and len(r.pools):
            pools = r.pools.copy()
            pools = pools[pools["kind"] != "dispatch"] if len(pools) > 40 else pools
            show_cols = [c for c in ("pool", "kind", "staff", "served", "busy_hours",
                                     "utilisation") if c in pools]
            p = pools[show_cols].copy()
            if "utilisation" in p:
                p["utilisation"] = p["utilisation"].map(
                    lambda u: "–" if pd.isna(u) else f"{100 * u:.1f}%")
            for c in ("served", "busy_hours"):
                if c in p:
                    p[c] = p[c].map(lambda v: f"{v:,.0f}")
            parts.append(f"<details><summary>Staff pools ({len(p)}): utilisation</summary>"
                         + html_table(p, numeric=("staff", "served", "busy_hours",
                                                  "utilisation")) + "</details>")
        parts += _figures_in(r.path, r.name)
    little = _little_table(study.runs)
    if len(little):
        parts.append("<h3>Little's law (L = λW), from the timestamps</h3><p>L is the "
                     "time-average number of cases in the system over the window, λW the rate "
                     "of reports times their mean stay (truncated at the window's end); they "
                     "differ only by the cases already present when the window opens.</p>"
                     + html_table(little))
    return _section("results", "7. Results", "".join(parts))


# =========================================================================== the whole report

def render_report(study: Study, files: dict[str, Path]) -> str:
    title = {"run": f"Run: {study.runs[0].name}",
             "compare": "Comparison: " + " vs ".join(r.name for r in study.runs),
             "sweep": f"Sweep of {study.manifest.get('base', '')}"}[study.kind]
    sections = [objectives_section(study), scenarios_section(study), logic_section(study),
                data_section(study, files), experimentation_section(study),
                implementation_section(study), results_section(study)]
    nav = ("<nav><ol>" + "".join(
        f'<li><a href="#{a}">{t}</a></li>' for a, t in
        [("objectives", "Objectives"), ("scenarios", "Scenarios and how they differ"),
         ("logic", "Model logic"), ("data", "Data and assumptions"),
         ("experimentation", "Experimentation"), ("implementation", "Implementation"),
         ("results", "Results")]) + "</ol></nav>")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>govsim report: {esc(title)}</title><style>{CSS}</style></head>
<body><h1>govsim report: {esc(title)}</h1>
<p class=muted>Result folder <code>{esc(study.folder)}</code>. Structured after the STRESS-DES
guideline: {esc(STRESS_DES)}</p>
{nav}
{''.join(sections)}
</body></html>
"""


def build_report(folder: str | Path, out: str | Path | None = None,
                 scenario_files: Iterable[str | Path] = ()) -> Path:
    """Write the HTML report of a result folder; return its path (default
    ``folder/report.html``)."""
    study = read_study(folder)
    files = find_scenario_files(study, scenario_files)
    text = render_report(study, files)
    path = Path(out) if out else Path(folder) / "report.html"
    path.write_text(text, encoding="utf-8")
    return path
