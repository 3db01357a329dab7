"""Figures: drawn without touching the user's backend, one x scale per figure, the deadline on
every panel, the formats asked for, display labels, and the sweep's paired differences."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pandas as pd
import pytest
import yaml
from matplotlib.text import Text

from sim.analysis import canvas, plots
from sim.analysis.compare import comparison_table
from sim.analysis.labels import Labels, key_title, labels_of
from sim.analysis.summary import ALL
from sim.cli import main
from sim.experiment.runner import COMPARED
from sim.experiment.sweep import run_sweep
from sim.scenario.loader import scenario_from_dict
from tests.conftest import ROOT, tiny_dict


def cases(types: dict[str, tuple[np.ndarray, float]], reps: int = 2,
          scenario: str = "s") -> pd.DataFrame:
    """A case table: for each case type its resolved response times (split over ``reps``
    replications) and its deadline."""
    frames = []
    for name, (times, deadline) in types.items():
        frames.append(pd.DataFrame({
            "scenario": scenario, "replication": np.arange(len(times)) % reps,
            "case_type": name, "t_report": 1.0, "in_warmup": False, "resolved": True,
            "response_h": times, "deadline_h": deadline}))
    return pd.concat(frames, ignore_index=True)


rng = np.random.default_rng(7)
# Alone, "quick" has a long tail (a log axis) and "slow" does not (a linear one).
MIXED = {"quick": (rng.lognormal(0.0, 2.0, 800), 24.0),
         "slow": (rng.uniform(100, 110, 200), 168.0)}


def x_scales(fig) -> set[str]:
    return {ax.get_xscale() for ax in fig.axes if ax.get_visible()}


def texts(fig) -> list[str]:
    return [t.get_text() for t in fig.findobj(Text)]


# --------------------------------------------------------------------------- the user's backend

def test_importing_and_writing_figures_leaves_the_backend_and_pyplot_alone(tmp_path):
    script = textwrap.dedent(f"""
        import matplotlib
        matplotlib.use("svg")
        import matplotlib.pyplot as plt
        plt.figure()
        before = plt.get_fignums()
        import numpy as np, pandas as pd
        import sim.analysis.calibration, sim.city.figures, sim.experiment.ablation_figure
        import sim.experiment.backlog_figure, sim.experiment.design_figures
        from sim.analysis import plots
        from sim.analysis.canvas import save
        times = np.linspace(1, 50, 40)
        cases = pd.DataFrame({{"replication": 0, "case_type": "a", "t_report": 1.0,
                              "in_warmup": False, "resolved": True, "response_h": times,
                              "deadline_h": 24.0}})
        plots.response_figures(cases, {str(tmp_path)!r})
        save(plots.draw_comparison({{"x": cases, "y": cases}}), {str(tmp_path / "c")!r})
        assert matplotlib.get_backend() == "svg", matplotlib.get_backend()
        assert plt.get_fignums() == before, plt.get_fignums()
        print("ok")
    """)
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
    assert (tmp_path / "response_hist.png").exists() and (tmp_path / "c.png").exists()


# --------------------------------------------------------------------------- one x scale

@pytest.mark.parametrize("draw", [plots.draw_response_hist, plots.draw_response_ecdf])
def test_every_panel_of_a_run_figure_has_the_same_x_scale(draw):
    fig = draw(cases(MIXED))
    assert len([ax for ax in fig.axes if ax.get_visible()]) == 3  # ALL, quick, slow
    assert not plots.long_tail(MIXED["slow"][0])  # alone, "slow" would be linear
    assert x_scales(fig) == {"log"}  # pooled, the times have a long tail
    narrow = {"a": (rng.uniform(10, 20, 300), 24.0), "b": (rng.uniform(5, 30, 300), 48.0)}
    assert x_scales(draw(cases(narrow))) == {"linear"}


def test_every_panel_and_scenario_of_a_comparison_has_the_same_x_scale():
    fig = plots.draw_comparison({"a": cases(MIXED, scenario="a"),
                                 "b": cases(MIXED, scenario="b")})
    assert x_scales(fig) == {"log"}


def x_ranges(fig) -> set[tuple[float, float]]:
    return {tuple(round(v, 9) for v in ax.get_xlim()) for ax in fig.axes
            if ax.get_visible() and ax.has_data()}


def test_the_panels_of_a_response_figure_share_one_x_range():
    # "quick" spans 0.01 h to days, "slow" 100 to 110 h: alone each panel would pick its own.
    comparison = plots.draw_comparison({"a": cases(MIXED, scenario="a"),
                                        "b": cases(MIXED, scenario="b")})
    for fig in (plots.draw_response_ecdf(cases(MIXED)), plots.draw_response_hist(cases(MIXED)),
                comparison):
        assert len([ax for ax in fig.axes if ax.get_visible() and ax.has_data()]) == 3
        assert len(x_ranges(fig)) == 1, x_ranges(fig)


def test_the_deadline_is_labelled_on_every_case_type_panel_even_beyond_the_data():
    far = {"near": (rng.uniform(1, 10, 300), 12.0),     # beyond the data, close: axis extended
           "far": (rng.uniform(1, 10, 300), 24 * 30.0)}  # far beyond: an arrow at the edge
    fig = plots.draw_response_ecdf(cases(far))
    panels = {ax.get_title().split(" (")[0]: ax for ax in fig.axes}
    near_texts = [t.get_text() for t in panels["near"].texts]
    assert "deadline 12 h" in near_texts
    assert panels["near"].get_xlim()[1] >= 12.0
    assert "deadline 30 d →" in [t.get_text() for t in panels["far"].texts]
    assert not any("deadline" in t.get_text() for t in panels[ALL].texts)


# --------------------------------------------------------------------------- formats

def test_save_writes_each_format_with_its_magic_bytes(tmp_path):
    fig = plots.draw_response_hist(cases(MIXED))
    paths = canvas.save(fig, tmp_path / "hist", ("png", "pdf", "svg"), dpi=50)
    assert [p.name for p in paths] == ["hist.png", "hist.pdf", "hist.svg"]
    assert paths[0].read_bytes().startswith(b"\x89PNG")
    assert paths[1].read_bytes().startswith(b"%PDF")
    assert b"<svg" in paths[2].read_bytes()[:500]


def test_format_dpi_and_labels_reach_the_files_and_table_of_a_run(tmp_path, capsys):
    labelled = tiny_dict(label="基线")
    labelled["case_types"]["parking"]["label"] = "乱停车"
    labelled["departments"]["um"]["label"] = "城管"
    scenario = tmp_path / "tiny.yaml"
    scenario.write_text(yaml.safe_dump(labelled, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "run"
    assert main(["run", str(scenario), "--reps", "1", "--out", str(out), "--quiet",
                 "--format", "pdf,svg", "--dpi", "40"]) == 0
    figures = sorted(p.name for p in (out / "figures").iterdir())
    assert figures == ["backlog.pdf", "backlog.svg", "response_ecdf.pdf", "response_ecdf.svg",
                       "response_hist.pdf", "response_hist.svg"]
    assert (out / "figures" / "backlog.pdf").read_bytes().startswith(b"%PDF")
    assert "乱停车" in (out / "figures" / "response_hist.svg").read_text(encoding="utf-8")
    summary = pd.read_csv(out / "summary.csv").set_index("case_type")
    assert summary.loc["parking", "case_type_label"] == "乱停车"
    assert summary.loc["joint", "case_type_label"] == "joint"  # no label: the key
    departments = pd.read_csv(out / "departments.csv").set_index("department")
    assert departments.loc["um", "department_label"] == "城管"
    printed = capsys.readouterr().out
    assert any(line.split()[0] == "parking" and line.endswith("乱停车")
               for line in printed.splitlines() if line.strip())


@pytest.mark.parametrize("flags, reason", [
    (["--format", "png,jpg"], "error: --format: unknown format 'jpg'"),
    (["--format", "png,"], "error: --format: expected formats separated by commas"),
    (["--dpi", "0"], "error: --dpi: must be a whole number from 20 to 1,200"),
])
def test_bad_format_or_dpi_is_refused_before_the_run(tmp_path, capsys, flags, reason):
    scenario = tmp_path / "tiny.yaml"
    scenario.write_text(yaml.safe_dump(tiny_dict()))
    code = main(["compare", str(scenario), str(scenario), "--out", str(tmp_path / "x"), *flags])
    assert code == 2
    assert reason in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


# --------------------------------------------------------------------------- labels

LABELS = Labels(case_types={"quick": "环境卫生", "slow": "Slow & $steady$"},
                scenarios={"s": "基线"})


def test_labels_replace_keys_in_the_figure_text():
    shown = texts(plots.draw_response_ecdf(cases(MIXED), "s", LABELS))
    assert any(t.startswith("环境卫生 (n=") for t in shown)
    assert any(t.startswith("Slow & $steady$ (n=") for t in shown)  # drawn as written
    assert any(t.startswith("基线: response time") for t in shown)
    table = pd.DataFrame({"metric": "mean_h", "case_type": ["ALL", "quick"], "scenario": "t",
                          "diff": [1.0, 2.0], "diff_lo": [0.5, 1.0], "diff_hi": [1.5, 3.0]})
    diff_texts = texts(plots.draw_differences(table, ["s", "t"], labels=LABELS))
    assert "环境卫生" in diff_texts and any("to 基线" in t for t in diff_texts)


def test_labels_come_from_the_scenario():
    scenario = scenario_from_dict(tiny_dict(
        label="基线", case_types={"parking": {"label": "乱停车", "departments": ["um"]}}))
    labels = labels_of([scenario])
    assert labels.scenario("tiny") == "基线"
    assert labels.case_type("parking") == "乱停车"
    assert labels.department("um") == "um"  # no label: the key


def test_chinese_labels_have_a_font_when_one_is_installed():
    if len(canvas.font_list()) == 1:
        pytest.skip("no CJK font installed (e.g. apt install fonts-noto-cjk)")
    assert canvas.missing_glyphs(["环境卫生", "基线"]) == ""


def test_without_a_cjk_font_chinese_labels_are_warned_about(monkeypatch):
    monkeypatch.setattr(canvas, "font_list", lambda: (canvas.LATIN_FONT,))
    monkeypatch.setattr(canvas, "_warned", set())
    with pytest.warns(canvas.MissingGlyphWarning, match="Noto Sans CJK SC"):
        canvas.check_glyphs(["环境卫生", "plain ascii"])


def test_characters_no_font_has_are_warned_about_once_and_drawn_anyway():
    hieroglyph = "\U00013000"  # in no font matplotlib or a CJK font ships
    labels = Labels(case_types={"quick": f"glyph {hieroglyph}"})
    with pytest.warns(canvas.MissingGlyphWarning, match="Install a CJK font"):
        plots.draw_response_ecdf(cases(MIXED), labels=labels)
    with warnings.catch_warnings():
        warnings.simplefilter("error", canvas.MissingGlyphWarning)
        fig = plots.draw_response_ecdf(cases(MIXED), labels=labels)  # once only
    assert f"glyph {hieroglyph} (n=800)" in texts(fig)


def test_key_titles_are_readable():
    assert key_title("reform.sinking.fraction") == "Sinking fraction"
    assert key_title("departments.housing.staff", Labels(departments={"housing": "住建"})) \
        == "住建 staff"
    assert key_title("departments.water.staff") == "Water staff"
    assert key_title("case_types.parking.rate") == "Parking: rate"
    assert key_title("reform.whistle.some_new_knob") == "Some new knob"


# --------------------------------------------------------------------------- sweeps

@pytest.fixture(scope="module")
def sweep():
    base = scenario_from_dict(tiny_dict())
    return run_sweep(base, {"departments.um.staff": [2, 4, 8]}, reps=3, seed=3)


def test_the_sweep_difference_figure_shows_comparison_tables_paired_cis(sweep):
    fig = plots.draw_sweep_differences(sweep.table, list(sweep.vary), metrics=["p90_h"])
    [ax] = fig.axes
    [bars] = ax.containers
    y = bars.lines[0].get_ydata()
    segments = bars.lines[2][0].get_segments()
    lo, hi = [s[0][1] for s in segments], [s[1][1] for s in segments]
    expected = comparison_table(sweep.per_rep, metrics=COMPARED)
    expected = expected[(expected["metric"] == "p90_h") & (expected["case_type"] == ALL)]
    expected = expected.set_index("scenario").loc[[r.scenario.name for r in sweep.results]]
    np.testing.assert_allclose(y, expected["diff"], rtol=1e-9)
    np.testing.assert_allclose(lo, expected["diff_lo"].fillna(0.0), rtol=1e-9)
    np.testing.assert_allclose(hi, expected["diff_hi"].fillna(0.0), rtol=1e-9)
    assert y[0] == 0 and y[1] < 0  # more staff than the first point: a shorter p90
    assert ax.get_xlabel() == "Um staff"


def test_sweep_figures_leave_out_metrics_that_do_not_vary(sweep):
    table = sweep.table.copy()
    flat = table["metric"] == "resolved_share"
    table.loc[flat, "value"] = 1.0
    fig = plots.draw_sweep(table, list(sweep.vary))
    titles = [ax.get_title() for ax in fig.axes if ax.get_visible()]
    assert "Share resolved (%)" not in titles
    assert "P90 response time (h)" in titles
