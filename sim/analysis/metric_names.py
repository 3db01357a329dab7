"""The names of the metrics a run reports, in a module that imports nothing.

The command line lists them in its options (``--metric``, ``--precision-metric``) while
building its parser, which must not import pandas; ``sim.analysis.summary`` and
``sim.analysis.measures`` compute them and re-export these names.
"""

METRICS = ["n", "resolved_share", "deadline_met_share", "mean_h", "p50_h", "p90_h", "p95_h",
           "censored"]
"""Response-time metrics of one replication (``sim.analysis.summary``)."""
MEASURES = ["response_rate", "resolution_rate", "satisfaction_rate", "reopen_rate"]
"""Beijing's hotline measures (``sim.analysis.measures``)."""
RUN_METRICS = [*METRICS, *MEASURES]
"""The metrics of ``summary.csv`` and of the per-replication tables."""
