"""The routes the report describes are the routes the model takes, per case type and street.

Both read the same routing rule and staffing plan; these tests run the model and compare what
each case did at first triage (the ``route`` column) with the report's description, so a
model that stopped following its rule (or a report that described another) would fail.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.model.replication import run_replication
from sim.report.flow import _route_words, case_routes, described_routes
from sim.scenario import load_scenario, scenario_from_dict
from tests.conftest import tiny_dict

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def _check(scenario, min_share_seen: float) -> dict[str, int]:
    described = described_routes(scenario)
    cases = run_replication(scenario, seed=1, replication=0).cases
    triaged = cases[cases["route"] != "none"]
    taken = triaged.groupby(["case_type", "street"], observed=True)["route"].unique()
    pairs = [(t, s) for t in described for s in described[t]]
    seen = 0
    for (case_type, street), routes in taken.items():
        assert list(routes) == [described[case_type][street]], (case_type, street)
        seen += 1
    assert seen >= min_share_seen * len(pairs)
    # The words of the report name every route a type takes.
    text = case_routes(scenario)
    for case_type, by_street in described.items():
        for route in set(by_street.values()):
            assert _route_words(route, scenario, case_type) in text[case_type]
    return triaged["route"].value_counts().to_dict()


@pytest.mark.parametrize("name", ["baseline", "whistle", "sinking", "combined"])
def test_the_bundled_scenarios_take_the_routes_the_report_describes(name):
    scenario = load_scenario(SCENARIOS / f"{name}.yaml")
    counts = _check(scenario, min_share_seen=0.9)
    if name in ("sinking", "combined"):
        assert counts.get("team", 0) > 0   # the new powers went to the stationed teams
    if name in ("whistle", "combined"):
        assert counts.get("whistle", 0) > 0


def test_a_small_fraction_with_a_centre_stations_nobody_and_the_report_says_so():
    """fraction 0.1 of 4 and 3 people stations nobody: no centre, every joint case referred."""
    data = tiny_dict(reform={"sinking": {"enabled": True, "fraction": 0.1,
                                         "integrated_centre": True}})
    scenario = scenario_from_dict(data)
    counts = _check(scenario, min_share_seen=1.0)
    assert counts.get("centre", 0) == 0 and counts["refer"] > 0
    assert "centre" not in case_routes(scenario)["joint"]


def test_a_centre_that_exists_takes_the_joint_cases():
    data = tiny_dict(reform={"sinking": {"enabled": True, "fraction": 1.0,
                                         "integrated_centre": True, "allocation": "equal"}})
    scenario = scenario_from_dict(data)
    counts = _check(scenario, min_share_seen=1.0)
    assert counts["centre"] > 0
    assert case_routes(scenario)["joint"] == "integrated enforcement centre (one visit)"
