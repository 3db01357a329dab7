"""What a study describes: the schema, YAML loading with ``extends`` and ``--set``, units and
distributions."""

from sim.scenario.errors import Problem, ScenarioError

__all__ = ["Problem", "Scenario", "ScenarioError", "load_scenario", "resolved_dict",
           "scenario_from_dict"]


def __getattr__(name: str):
    # Imported when first used: ``sim.scenario.errors`` (and the command line's help, which
    # needs nothing more) must not pay for pydantic and the schema.
    if name in ("load_scenario", "resolved_dict", "scenario_from_dict"):
        from sim.scenario import loader

        return getattr(loader, name)
    if name == "Scenario":
        from sim.scenario.schema import Scenario

        return Scenario
    raise AttributeError(f"module 'sim.scenario' has no attribute {name!r}")
