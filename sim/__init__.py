"""govsim: a discrete-event simulator of grassroots urban-governance reform.

The Python API (for notebooks) is in ``sim.api``; the most used functions are re-exported here:
``sim.run``, ``sim.compare``, ``sim.sweep``, ``sim.load``, ``sim.outputs`` (every table of a
run) and ``sim.measures`` (Beijing's hotline measures).
"""

from sim.version import __version__  # noqa: F401 (re-exported)


def __getattr__(name: str):
    # Imported lazily so that ``import sim`` stays cheap for worker processes.
    if name in ("run", "compare", "comparison_table", "sweep", "load", "summarise",
                "per_replication", "warmup", "outputs", "measures", "backlog",
                "SatisfactionModel", "event_log"):
        from sim import api

        return getattr(api, name)
    raise AttributeError(name)
