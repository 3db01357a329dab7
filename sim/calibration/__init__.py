"""From a real case log to a calibrated scenario (issue 14).

``log``: the one reader of case logs (a mapping says which column holds what; open cases are
censored at the export time). ``build``: a district scenario from a log. ``check``: a scenario's
prediction of a held-out period, scored against naive forecasts. ``fit`` (calfit): the
parameters a log cannot give, fitted by simulation.

This package sits in the ``sim.city`` layer: it may use the experiment machinery, the analysis,
the model and the scenario layers, and only the command line imports it.
"""
