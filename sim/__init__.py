"""govsim: a discrete-event simulator of grassroots urban-governance reform.

The Python API (for notebooks) is in ``sim.api``; every name of ``sim.api.__all__`` is
re-exported here: ``sim.run``, ``sim.compare``, ``sim.sweep``, ``sim.load``, ``sim.outputs``
(every table of a run), ``sim.measures`` (Beijing's hotline measures), ...
"""

import importlib

from sim.version import __version__  # noqa: F401 (re-exported)


def __getattr__(name: str):
    # Imported lazily so that ``import sim`` stays cheap for worker processes and for
    # ``govsim --help``. Dunder and private names (asked for by pickle, copy, doctest, ...) are
    # never the API's, so they do not import it.
    if not name.startswith("_"):
        # import_module, not ``from sim import api``: that form asks this very function for
        # ``api`` before the submodule is loaded, and would recurse.
        api = importlib.import_module("sim.api")
        if name in api.__all__:
            return getattr(api, name)
    raise AttributeError(f"module 'sim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *importlib.import_module("sim.api").__all__})
