"""Shared fixtures: small scenarios that run in well under a second."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"


def tiny_dict(**changes) -> dict:
    """A two-street, two-department district; ``changes`` are merged at the top level."""
    base = {
        "name": "tiny",
        "simulation": {"horizon": "7d", "warmup": "1d", "drain_limit": "60d"},
        "streets": {"a": {"grids": 20}, "b": {"grids": 10}},
        "departments": {"um": {"staff": 4}, "housing": {"staff": 3}},
        "case_types": {
            "parking": {"rate": 0.2, "departments": ["um"], "deadline": "24h",
                        "bounce_prob": 0.2, "quality_failure": 0.2, "misroute_prob": 0.1},
            "joint": {"rate": 0.03, "departments": ["um", "housing"], "deadline": "7d"},
        },
    }
    base.update(changes)
    return base


@pytest.fixture
def tiny() -> dict:
    return tiny_dict()


@pytest.fixture(scope="module")
def dask_cluster():
    """One LocalCluster with 2 workers for the module (starting one is the slow part)."""
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=":0")
    yield cluster
    cluster.close()
