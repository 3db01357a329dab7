"""Many runs: replications with their seeds, executors, the resumable workspace, compare and
sweep, and the one home of their outputs (names become folder names through
``sim.scenario.paths.safe_component``, which ``sim.report`` uses too):

``folder``    the output folder guard (``claim``), the experiment identity and its key
``files``     atomic writes, and the seals that vouch for stored replications
``manifest``  provenance and ``manifest.json``
"""
