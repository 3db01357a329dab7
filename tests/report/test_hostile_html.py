"""Names from a scenario cannot inject markup into report.html (issue 11, class 2).

Every name the schema lets a scenario choose (its name and description, the keys of calendars,
streets, departments and case types, their labels, the lists that refer to them, YAML comments
and the file names) carries markup: a script, an attribute breaking out of its quotes, a closing
table cell, an entity, and a jinja2 expression. The same study is run twice, once with these
names and once with harmless ones of the same shape; the two report.html files must have exactly
the same elements and attributes (the names added none), and the hostile names must read back,
character for character, as text in the sections that show them.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest

import sim
from sim.cli import main as cli
from sim.report.results import LINKED_FILES, STUDY_FILES
from tests.conftest import tiny_dict

# Names may not hold "/" (it joins names in pool names): markup that needs no closing tag.
HOSTILE = '<script>alert(1)<script>"><img src=x onerror=alert(1)><td>&amp;{{ 7*7 }}'
# The sweep varies a key through a KEY=VALUE override, which cannot hold "=".
HOSTILE_NO_EQUALS = "<script>alert(2)<script><td>&amp;{{ 7*7 }}<b>"
# File names cannot hold "/".
HOSTILE_FILE = '<i>&amp;"{{ 7*7 }}'

SECTIONS = ["objectives", "scenarios", "logic", "data", "experimentation", "implementation",
            "results"]

ROLES = ["scenario a", "scenario b", "description a", "description b", "calendar", "street 1",
         "street 2", "street label", "department 1", "department 2", "department label",
         "case type 1", "case type 2", "case type 3", "case type label", "header",
         "comment"]


def _names(hostile: bool) -> dict[str, str]:
    """Each role's name: the role and a suffix, markup or harmless text of no markup at all."""
    names = {role: role + (HOSTILE if hostile else " plain") for role in ROLES}
    names["department 2"] = "department 2" + (HOSTILE_NO_EQUALS if hostile else " plain")
    names["file a"] = "scenario a" + (HOSTILE_FILE if hostile else " plain") + ".yaml"
    names["file b"] = "scenario b" + (HOSTILE_FILE if hostile else " plain") + ".yaml"
    return names


def _write_scenarios(folder: Path, n: dict[str, str]) -> tuple[Path, Path]:
    """Scenario a (before the reforms), and b, which extends it and switches both reforms on."""
    def q(text: str) -> str:  # a YAML double-quoted scalar (JSON strings are valid YAML)
        return json.dumps(text, ensure_ascii=False)

    d1, d2 = q(n["department 1"]), q(n["department 2"])
    ct1, ct2 = q(n["case type 1"]), q(n["case type 2"])
    comment = n["comment"]
    a = folder / n["file a"]
    a.write_text(f"""\
# {n["header"]}
# [D§4] a cited source; ASSUMPTION: {comment}

name: {q(n["scenario a"])}   # the name: {comment}
description: {q(n["description a"])}
simulation:
  horizon: 3d        # ASSUMPTION: {comment}
  warmup: 1d         # a comment that goes on
                     # on the next line: {comment}
  drain_limit: 20d
calendars:
  {q(n["calendar"])}: {{days: [mon, tue, wed, thu, fri], open: 8, close: 18}}  # {comment}
streets:
  {q(n["street 1"])}:    # [D§4] {comment}
    label: {q(n["street label"])}
    grids: 6
    powers: [{ct2}]
  {q(n["street 2"])}: {{grids: 4}}
departments:
  {d1}:
    label: {q(n["department label"])}
    staff: 3          # ASSUMPTION: {comment}
    calendar: {q(n["calendar"])}
  {d2}: {{staff: 2}}
case_types:
  {ct1}:
    label: {q(n["case type label"])}
    rate: 0.3
    departments: [{d1}, {d2}]
    work: {{{d1}: {{kind: exponential, mean: 1}}, {d2}: {{kind: exponential, mean: 2}}}}
    quality_failure: 0.1
    on_spot_share: 0.1
  {ct2}: {{rate: 0.2, departments: [{d1}]}}
  {q(n["case type 3"])}: {{rate: 0.1}}
""", encoding="utf-8")
    b = folder / n["file b"]
    b.write_text(f"""\
# {n["header"]}, the reforms
extends: {q(a.name)}
name: {q(n["scenario b"])}
description: {q(n["description b"])}
reform:
  whistle: {{enabled: true, trigger: {{types: [{ct2}]}}}}   # {comment}
  sinking:
    enabled: true
    fraction: {{{d1}: 0.3}}
    powers: [{ct1}]
    integrated_centre: true
    centre_departments: [{d1}, {d2}]
""", encoding="utf-8")
    return a, b


def _govsim(args: list[str]) -> None:
    """``govsim ARGS`` in this process, recording the command as the shell would."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(sys, "argv", ["govsim", *args])
        assert cli(args) == 0


def _make_reports(folder: Path, hostile: bool) -> dict[str, str]:
    """report.html of a run, a compare and a sweep of the scenarios named by ``_names``."""
    n = _names(hostile)
    folder.mkdir()
    a, b = _write_scenarios(folder, n)
    run, cmp, sweep = folder / "run", folder / "cmp", folder / "sweep"
    _govsim(["run", str(a), "--reps", "2", "--out", str(run), "--quiet",
             "--set", "simulation.drain_limit=10d"])
    _govsim(["compare", str(a), str(b), "--reps", "2", "--out", str(cmp), "--quiet"])
    sim.sweep(a, {f"departments.{n['department 2']}.staff": [2, 3]}, reps=2, out=sweep)
    _govsim(["report", str(run)])
    _govsim(["report", str(cmp)])
    _govsim(["report", str(sweep), "--scenario-file", str(a)])
    return {kind: (path / "report.html").read_text(encoding="utf-8")
            for kind, path in [("run", run), ("compare", cmp), ("sweep", sweep)]}


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[bool, dict[str, str]]:
    """{hostile?: {run, compare, sweep: the text of report.html}}."""
    root = tmp_path_factory.mktemp("hostile")
    return {hostile: _make_reports(root / ("hostile" if hostile else "plain"), hostile)
            for hostile in (True, False)}


class _Page(HTMLParser):
    """What a browser would build: every element with its attributes, and the text of each
    section (entities decoded)."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.elements: Counter = Counter()
        self.attributes: list[tuple[str, str, str | None]] = []
        self.text: dict[str, list[str]] = {"": []}
        self._section = ""
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.elements[tag] += 1
        self.attributes += [(tag, name, value) for name, value in attrs]
        if tag == "section":
            self._section = dict(attrs).get("id", "?")
            self.text.setdefault(self._section, [])

    def handle_endtag(self, tag):
        if tag == "section":
            self._section = ""

    def handle_data(self, data):
        self.text[self._section].append(data)

    def section_text(self, section: str) -> str:
        return "".join(self.text.get(section, []))


KINDS = ["run", "compare", "sweep"]

# A relative address inside the result folder: percent-encoded, no scheme, no way up.
_FILE_LINK = re.compile(r"(?:[A-Za-z0-9_.~-]|%[0-9A-F]{2})+(?:/(?:[A-Za-z0-9_.~-]|%[0-9A-F]{2})+)*")


def _own_link(href: str) -> bool:
    """A section anchor of the page, or a table of the result folder (``LINKED_FILES``)."""
    if href.startswith("#"):
        return href[1:] in SECTIONS
    parts = href.split("/")
    return (_FILE_LINK.fullmatch(href) is not None and ".." not in parts
            and parts[-1] in LINKED_FILES + STUDY_FILES)


@pytest.mark.parametrize("kind", KINDS)
def test_hostile_names_add_no_element_or_attribute(reports, kind):
    hostile, plain = _Page(reports[True][kind]), _Page(reports[False][kind])
    assert "script" not in hostile.elements
    assert not [a for a in hostile.attributes if a[1].startswith("on")]
    images = [v for tag, name, v in hostile.attributes if tag == "img" and name == "src"]
    assert images and all(v.startswith("data:image/png;base64,") for v in images)
    # Every element and attribute name exactly as with harmless names: nothing was injected,
    # nothing was cut short (a stray </td> would close a cell early).
    assert hostile.elements == plain.elements
    assert (Counter((tag, name) for tag, name, _ in hostile.attributes)
            == Counter((tag, name) for tag, name, _ in plain.attributes))
    # Only the page's own anchors and the result folder's own tables are linked.
    links = [v for tag, name, v in hostile.attributes if name == "href"]
    assert links and all(_own_link(v) for v in links), links
    assert any(not v.startswith("#") for v in links) or kind == "sweep"
    assert [v for tag, name, v in hostile.attributes
            if tag == "section" and name == "id"] == ["key-results", *SECTIONS]


@pytest.mark.parametrize("kind", KINDS)
def test_hostile_names_read_back_as_text_not_double_escaped(reports, kind):
    source = reports[True][kind]
    page = _Page(source)
    text = "".join("".join(t) for t in page.text.values())
    assert HOSTILE in text or HOSTILE_NO_EQUALS in text
    assert "&lt;script&gt;" in source and "&amp;amp;" in source   # escaped once in the source
    assert "&lt;" not in text and "&#34;" not in text and "&amp;lt;" not in source  # not twice
    assert "{{ 7*7 }}" in text and "{{" not in text.replace("{{ 7*7 }}", "")  # not evaluated


# Where each name must be shown, section by section (for the comparison, which shows most).
SHOWN_IN_COMPARE = {
    "objectives": ["scenario a", "scenario b", "description a", "description b"],
    "scenarios": ["scenario a", "scenario b", "case type 1", "case type 2", "department 1",
                  "department 2"],
    "logic": ["scenario a", "scenario b", "case type 1", "case type 2", "case type 3",
              "case type label", "department 1", "department 2", "department label",
              "calendar"],
    "data": ["scenario a", "scenario b", "file a", "file b", "header", "comment", "street 1",
             "street 2", "street label", "calendar", "description a"],
    "implementation": ["file a", "file b"],
    "results": ["scenario a", "scenario b", "case type 1", "case type 2", "case type 3",
                "department 1", "department 2"],
}


def _in_json(name: str) -> str:
    return json.dumps(name, ensure_ascii=False)[1:-1]


@pytest.mark.parametrize("section", SECTIONS)
def test_every_section_shows_the_names_as_text(reports, section):
    page = _Page(reports[True]["compare"])
    text = page.section_text(section)
    assert text, f"section {section} is missing"
    names = _names(True)
    # A name shows as itself, or inside a JSON value (a list of case types, a resolved value)
    # with its quotes backslashed.
    missing = [role for role in SHOWN_IN_COMPARE.get(section, [])
               if names[role] not in text and _in_json(names[role]) not in text]
    assert not missing
    if section == "experimentation":   # nothing there comes from a name
        assert "{{ 7*7 }}" not in text


def test_title_and_sweep_keys_show_the_names_as_text(reports):
    names = _names(True)
    run = _Page(reports[True]["run"])
    assert names["scenario a"] in "".join(run.text[""])   # <title>, <h1>
    sweep = _Page(reports[True]["sweep"])
    key = f"departments.{names['department 2']}.staff"
    assert key in sweep.section_text("objectives") and key in sweep.section_text("scenarios")
    assert key in sweep.section_text("results")


# --------------------------------------------------------------- extends in a cycle


def _cycle(folder: Path, named: bool) -> Path:
    """Two scenario files that extend each other (with or without names of their own)."""
    folder.mkdir(parents=True, exist_ok=True)
    for this, other in (("x", "y"), ("y", "x")):
        (folder / f"{this}.yaml").write_text(
            (f"name: {this}\n" if named else "") + f"extends: {other}.yaml\n", encoding="utf-8")
    return folder / "x.yaml"


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory) -> Path:
    """A small run folder to report on."""
    out = tmp_path_factory.mktemp("cycle") / "run"
    sim.run(tiny_dict(), reps=1, out=out)
    return out


def _report(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    # A subprocess only so that a hang fails the test instead of stalling the suite; the
    # report of a run folder takes a few seconds.
    return subprocess.run([sys.executable, "-m", "sim", "report", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("named", [False, True])
def test_report_refuses_a_scenario_file_in_an_extends_cycle(run_folder, tmp_path, named):
    x = _cycle(tmp_path / "files", named)
    done = _report([str(run_folder), "--scenario-file", str(x)], tmp_path)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"error: {x.parent / 'y.yaml'}: extends: cycle: ")
    assert "x.yaml -> y.yaml -> x.yaml" in lines[0]
    assert not (run_folder / "report.html").exists()


def test_report_passes_over_a_cycle_among_the_scenario_files_it_searches(run_folder, tmp_path):
    """./scenarios/ is searched for the scenario's file: files in a cycle there are skipped."""
    _cycle(tmp_path / "scenarios", named=False)
    out = tmp_path / "report.html"
    done = _report([str(run_folder), "--out", str(out)], tmp_path)
    assert done.returncode == 0, done.stderr
    assert "4. Data and assumptions" in out.read_text(encoding="utf-8")


def test_report_refuses_a_scenario_file_that_does_not_exist(run_folder, tmp_path, capsys):
    assert cli(["report", str(run_folder), "--scenario-file", str(tmp_path / "nope.yaml")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"error: {tmp_path / 'nope.yaml'}: file not found (--scenario-file)"]


# --------------------------------------------------------------- escaping cannot be switched off

TEMPLATES = Path(sim.__file__).parent / "report" / "templates"


@pytest.mark.parametrize("template", sorted(p.name for p in TEMPLATES.glob("*.j2")))
def test_templates_never_turn_escaping_off(template):
    """Escaping by construction holds only while no template opts out of it."""
    text = (TEMPLATES / template).read_text(encoding="utf-8").replace(" ", "")
    assert "|safe" not in text and "autoescape" not in text and "Markup" not in text


# --------------------------------------------------------------- the pages added since


def _extends_report(folder: Path, hostile: bool) -> str:
    """The report of a run of a file that only ``extends`` its parent (no description of its
    own), so the objectives show the parent's file name and the key paths it changes."""
    n = _names(hostile)
    folder.mkdir()
    a, _ = _write_scenarios(folder, n)
    child = folder / ("child" + (HOSTILE_FILE if hostile else " plain") + ".yaml")
    child.write_text(f"extends: {json.dumps(a.name, ensure_ascii=False)}\n"
                     f"name: {json.dumps(n['scenario b'], ensure_ascii=False)}\n"
                     f"departments: {{{json.dumps(n['department 2'], ensure_ascii=False)}: "
                     "{staff: 5}}\n", encoding="utf-8")
    out = folder / "run"
    _govsim(["run", str(child), "--reps", "1", "--no-figures", "--out", str(out), "--quiet"])
    _govsim(["report", str(out)])
    return (out / "report.html").read_text(encoding="utf-8")


def _city_report(folder: Path, hostile: bool) -> str:
    """The report of a city whose name and districts carry the names of ``_names``."""
    n = _names(hostile)
    folder.mkdir()
    (folder / "tiny.yaml").write_text(json.dumps(tiny_dict(simulation={
        "horizon": "3d", "warmup": "1d", "drain_limit": "20d"})), encoding="utf-8")
    (folder / "city.yaml").write_text(json.dumps({
        "extends": "tiny.yaml", "name": n["scenario a"], "city": {
            "cases_per_year": 10_000, "grids_per_street": 10,
            "districts": {n["street 1"]: {"label": n["street label"], "streets": 1},
                          n["street 2"]: {"streets": 1}}}}, ensure_ascii=False),
        encoding="utf-8")
    out = folder / "city"
    _govsim(["city", str(folder / "city.yaml"), "--backend", "serial", "--out", str(out),
             "--quiet"])
    _govsim(["report", str(out)])
    return (out / "report.html").read_text(encoding="utf-8")


def _assert_no_markup_added(hostile: _Page, plain: _Page) -> None:
    """The hostile page has no script, no event handler, and exactly the plain page's elements
    and attributes: the names added none."""
    assert "script" not in hostile.elements
    assert not [a for a in hostile.attributes if a[1].startswith("on")]
    assert hostile.elements == plain.elements
    assert (Counter((tag, name) for tag, name, _ in hostile.attributes)
            == Counter((tag, name) for tag, name, _ in plain.attributes))


@pytest.mark.parametrize("make", [_extends_report, _city_report])
def test_extends_and_city_pages_show_hostile_names_as_text(tmp_path, make):
    hostile, plain = (_Page(make(tmp_path / kind, kind == "hostile"))
                      for kind in ("hostile", "plain"))
    _assert_no_markup_added(hostile, plain)
    names = _names(True)
    if make is _extends_report:
        text = hostile.section_text("objectives")
        assert "extends" in text and names["file a"] in text   # the parent's file, as text
        assert f"departments.{names['department 2']}.staff" in text   # a changed key path
    else:
        text = "".join("".join(t) for t in hostile.text.values())
        assert names["scenario a"] in text and names["street 1"] in text
        assert names["street 2"] in text


def _ablate_report(folder: Path, hostile: bool) -> str:
    """The report of ``govsim ablate`` of scenario b against a: the parts are named by the key
    paths that differ, which hold the hostile department and case-type names."""
    n = _names(hostile)
    folder.mkdir()
    a, b = _write_scenarios(folder, n)
    out = folder / "ablate"
    _govsim(["ablate", str(b), "--against", str(a), "--reps", "2", "--out", str(out), "--quiet",
             "--no-figures"])
    _govsim(["report", str(out)])
    return (out / "report.html").read_text(encoding="utf-8")


def test_ablate_page_shows_hostile_names_as_text(tmp_path):
    hostile, plain = (_Page(_ablate_report(tmp_path / kind, kind == "hostile"))
                      for kind in ("hostile", "plain"))
    _assert_no_markup_added(hostile, plain)
    # The page names the ablated scenarios by their folder names (through safe_component),
    # so the markup reaches it only as the folder-safe form of the name.
    text = "".join("".join(t) for t in hostile.text.values())
    assert "Ablation of scenario-b-script-alert-1" in text
