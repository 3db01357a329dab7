"""Every name that becomes a file or folder name stays inside its folder, and no two share one.

The property tests feed ``safe_component`` (and the path builders of run, compare, sweep and
city, which all go through it) arbitrary Unicode text: slashes, dots, NUL, very long names.
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.city.run import part_path, seal_path
from sim.experiment.sweep import point_id
from sim.scenario.paths import (
    GOVSIM_ENTRIES,
    MAX_BYTES,
    is_single_component,
    safe_component,
)

# Text with many separators, dots and odd characters, as well as anything Unicode has.
HOSTILE = st.lists(st.sampled_from(list("/\\.\0~ -_aZ9%:*?\"<>|\n\t东é") + ["..", "../"]),
                   max_size=40).map("".join)
NAMES = st.one_of(st.text(max_size=300), HOSTILE,
                  st.text(alphabet=st.characters(codec="utf-8"), min_size=200, max_size=600))
BATCHES = itertools.count()


def _inside(root: Path, path: Path) -> bool:
    root = Path(os.path.abspath(root))
    return Path(os.path.abspath(path)).is_relative_to(root) and ".." not in path.relative_to(
        root).parts


def _is_component(text: str) -> bool:
    return (is_single_component(text) and not text.startswith((".", "-"))
            and len(text.encode("utf-8")) <= MAX_BYTES and "\n" not in text)


@settings(max_examples=400, deadline=None)
@given(NAMES)
def test_a_name_becomes_one_short_component_inside_its_folder(name):
    component = safe_component(name)
    assert _is_component(component), component
    assert len(component.encode("utf-8")) <= 255
    root = Path("/out")
    for path in (root / component, part_path(root, name, 3), seal_path(root, name, 3),
                 root / "points" / point_id({"a.b": name})):
        assert _inside(root, path), path


@settings(max_examples=400, deadline=None)
@given(NAMES, NAMES)
def test_two_different_names_never_share_a_folder(a, b):
    if a == b:
        assert safe_component(a) == safe_component(b)
        return
    ca, cb = safe_component(a), safe_component(b)
    assert ca != cb
    # ...not even on a file system that ignores case (macOS, Windows).
    assert ca.casefold() != cb.casefold()


@settings(max_examples=200, deadline=None)
@given(NAMES)
def test_a_made_component_is_not_the_component_of_another_name(name):
    """The output of the function, used as a name itself, gets a folder of its own: a name
    cannot be chosen to land on another name's folder."""
    component = safe_component(name)
    if component != name:
        assert safe_component(component) != component


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(NAMES, min_size=2, max_size=6, unique=True))
def test_the_file_system_accepts_every_component_and_keeps_them_apart(tmp_path, names):
    folder = tmp_path / f"batch{next(BATCHES)}"
    folder.mkdir()
    for name in names:
        (folder / safe_component(name)).mkdir()      # no ENAMETOOLONG, no EINVAL
    assert len(list(folder.iterdir())) == len(names)
    assert all(p.parent == folder for p in folder.iterdir())


@pytest.mark.parametrize("name", ["baseline", "whistle", "fraction=0.25", "um.staff=4,x=2",
                                  "compare-tiny-whistle", "a_b+c"])
def test_a_plain_name_is_kept_as_it_is(name):
    assert safe_component(name) == name


@pytest.mark.parametrize("name", ["..", ".", "", "../../escaped", "/tmp/abs", "x/../../y",
                                  ".hidden", "-rf", "Upper", "con", "NUL.txt", "a~b", "a b",
                                  "东城", "a" * 81, *sorted(GOVSIM_ENTRIES)])
def test_an_unsafe_or_reserved_name_gets_a_slug_and_a_hash(name):
    component = safe_component(name)
    slug, _, digest = component.rpartition("~")
    assert component != name and len(digest) == 12 and slug
    assert not component.startswith((".", "-"))
    assert component.casefold() not in GOVSIM_ENTRIES


def test_the_slug_stays_readable():
    assert safe_component("东城").startswith("东城~")
    assert safe_component("Baseline 2024").startswith("Baseline_2024~")
    assert safe_component("../victim").startswith("_.._victim~")
