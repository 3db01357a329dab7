"""Sections 1 and 2 of STRESS-DES: the objectives, and the scenarios with how they differ."""

from __future__ import annotations

import pandas as pd

from sim.diff import diff_dicts, show
from sim.report.folders import Study
from sim.report.html import esc, html_table, section


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
    return section("objectives", "1. Objectives", f"""
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
    return section("scenarios", "2. Scenarios and how they differ", "".join(parts))
