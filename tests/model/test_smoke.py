from sim.model.replication import run_replication
from sim.scenario import scenario_from_dict
from tests.conftest import tiny_dict


def test_tiny_scenario_runs_and_resolves_cases():
    rep = run_replication(scenario_from_dict(tiny_dict()), seed=1, replication=0)
    assert len(rep.cases) > 0
    assert rep.cases["resolved"].any()
