"""What each figure of a result folder shows, in words: the captions of the report's figures.

A figure's file name says which figure it is (``response_ecdf.png``, ``compare_diffs.png``,
``sweep_p90_h.png``…); its caption says what a reader needs to read it without the code: what
is on each axis, what the lines and bands are, where the deadline is drawn. The figures
themselves are drawn elsewhere (``sim.analysis.plots``, ``sim.experiment``, ``sim.city``); the
captions follow what those functions draw.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.analysis.summary import METRIC_LABELS


@dataclass(frozen=True)
class CaptionContext:
    """What a caption may name: the scenario (or the study's baseline), the confidence level
    and, for a sweep, the key on the x axis."""

    name: str = ""
    confidence: str = "95%"
    baseline: str = ""
    x_key: str = ""


def _run_ecdf(c: CaptionContext) -> str:
    return (f"{c.name}: response time by case type, one panel each (ALL first). x: response "
            "time from the report on the street platform to the real resolution (hours); y: "
            "share of the type's cases resolved within that time, all replications pooled. The "
            "dashed red line is the type's deadline. Cases never resolved (censored) keep a "
            "curve below 1.")


def _run_hist(c: CaptionContext) -> str:
    return (f"{c.name}: histogram of response times by case type, one panel each (ALL "
            "first). x: response time (hours); y: number of cases, all replications pooled. "
            "The dashed red line is the type's deadline.")


def _backlog(c: CaptionContext) -> str:
    return (f"{c.name}: backlog over the run. x: day of the run; y: open cases "
            "(time-average over each day). Line: the mean across replications; band: its "
            f"{c.confidence} confidence interval; grey: the warm-up, left out of the statistics.")


def _compare_ecdf(c: CaptionContext) -> str:
    return ("Response time of every scenario, one panel per case type (ALL first). x: response "
            "time (hours); y: share of cases resolved within that time. Line: the mean of the "
            "replications' ECDFs; band: their pointwise minimum to maximum; thin black dashes: "
            "the type's deadline.")


def _compare_diffs(c: CaptionContext) -> str:
    return (f"Paired differences to {c.baseline or 'the baseline'}, one panel per metric. x: "
            "the difference (percentage points for shares, hours for times); y: case types, "
            "ALL on top. Points: each scenario's mean difference over replications (common "
            f"random numbers); whiskers: its {c.confidence} confidence interval. The vertical "
            "line is no difference; an interval that does not cross it is a difference beyond "
            "the simulation noise.")


def _city_ecdf(c: CaptionContext) -> str:
    return (f"{c.name}: response time over the whole city, ALL (thick black) and each case "
            "type. x: response time (hours, log scale); y: share of cases resolved within that "
            "time (warm-up excluded; from merged histograms). No deadline is drawn: the case "
            "types' deadlines differ.")


def _districts(c: CaptionContext) -> str:
    return (f"{c.name}: each district (ALL case types), worst share within deadline at the "
            "bottom. Left, x: share of cases resolved within their deadline; right, x: p90 "
            f"response time (hours); bars: means across replications, whiskers: {c.confidence} "
            "confidence half-widths; dashed line: the whole city.")


def _ablation(c: CaptionContext) -> str:
    return ("Where the effect comes from, one panel per metric. Each row is a part of the "
            "reform (the total first); bars: its paired effect with a "
            f"{c.confidence} confidence interval, 'off in turn' (the scenario minus the "
            "scenario without the part) beside 'on alone' (the baseline with only the part, "
            "minus the baseline). The vertical line is no effect.")


_CAPTIONS = {
    "response_ecdf": _run_ecdf, "response_hist": _run_hist, "backlog": _backlog,
    "compare_ecdf": _compare_ecdf, "compare_diffs": _compare_diffs, "ablation": _ablation,
    "districts": _districts,
}


def figure_caption(stem: str, context: CaptionContext, kind: str = "run") -> str:
    """The caption of the figure file ``<stem>.png`` of a ``kind`` folder (``run``,
    ``compare``, ``sweep``, ``city``, ``ablate``)."""
    if kind == "city" and stem == "response_ecdf":
        return _city_ecdf(context)
    if stem in _CAPTIONS:
        return _CAPTIONS[stem](context)
    if stem.startswith("sweep_"):
        metric = stem.removeprefix("sweep_")
        what = METRIC_LABELS.get(metric, metric.replace("_", " "))
        return (f"{what} (y, all case types; shares in %) against "
                f"{context.x_key or 'the first varied key'} (x). Points: the mean across "
                f"replications; band: its {context.confidence} confidence interval; one line "
                "per combination of the other varied keys.")
    return f"{context.name}: {stem.replace('_', ' ')}".strip(": ")
