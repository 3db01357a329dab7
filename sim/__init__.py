"""govsim: a discrete-event simulator of grassroots urban-governance reform.

The Python API (for notebooks) is in ``sim.api``; the most used functions are re-exported here:
``sim.run``, ``sim.compare``, ``sim.sweep`` and ``sim.load``.
"""

__version__ = "0.1.0"


def __getattr__(name: str):
    # Imported lazily so that ``import sim`` stays cheap for worker processes.
    if name in ("run", "compare", "comparison_table", "sweep", "load", "summarise",
                "per_replication", "warmup"):
        from sim import api

        return getattr(api, name)
    raise AttributeError(name)
