"""Options and loading shared by ``govsim sensitivity`` and ``govsim robustness``."""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.scenario.errors import Problem, ScenarioError


def add_design_args(p: argparse.ArgumentParser) -> None:
    """``--uncertainty`` and ``--metric``."""
    from sim.analysis.metric_names import RUN_METRICS

    p.add_argument("--uncertainty", default=None, metavar="FILE",
                   help="the declared uncertain parameters (default: SCENARIO's "
                        "<stem>.uncertainty.yaml, else that of the scenario it extends, else "
                        "BASELINE's)")
    p.add_argument("--metric", default="deadline_met_share", choices=RUN_METRICS,
                   metavar="METRIC",
                   help="summary metric of case type ALL (default deadline_met_share; any "
                        "column of summary.csv: " + ", ".join(RUN_METRICS) + ")")


def load_design_inputs(args: argparse.Namespace):
    """The scenario, the baseline (or None) with distinct names, and the declared parameters
    expanded against the scenario (so a reform's settings can be declared; ``±20%`` is of the
    scenario's value). Both scenarios of a point get the same values, each only for the keys
    it has."""
    from sim.cli.args import load_for_run
    from sim.experiment.compare import distinct_names
    from sim.scenario.loader import resolved_dict
    from sim.scenario.uncertainty import declared_parameters, read_declaration, uncertainty_file

    scenario = load_for_run(args, args.scenario)
    against = None
    if args.against:
        against = load_for_run(args, args.against)
        scenario, against = distinct_names([scenario, against],
                                           [Path(args.scenario).stem, Path(args.against).stem])
    path = args.uncertainty
    if path is None:
        found = uncertainty_file(args.scenario) or (
            uncertainty_file(args.against) if args.against else None)
        if found is None:
            raise ScenarioError([Problem(args.scenario, "", (
                "no uncertainty declared: write <stem>.uncertainty.yaml next to it or give "
                "--uncertainty FILE"))])
        path = found
    declaration = read_declaration(path)
    params = declared_parameters(declaration, resolved_dict(scenario), str(path))
    return scenario, against, params, Path(path)
