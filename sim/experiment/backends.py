"""Where replications run, in a module that imports nothing (the command line offers these
as ``--backend`` choices while building its parser; ``sim.experiment.executors`` runs them)."""

BACKENDS = ("serial", "processes", "dask")
