"""What a study describes: the schema, YAML loading with ``extends`` and ``--set``, units and
distributions."""

from sim.scenario.errors import Problem, ScenarioError
from sim.scenario.loader import load_scenario, resolved_dict, scenario_from_dict
from sim.scenario.schema import Scenario

__all__ = ["Problem", "Scenario", "ScenarioError", "load_scenario", "resolved_dict",
           "scenario_from_dict"]
