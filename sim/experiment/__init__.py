"""Many runs: replications with their seeds, executors, the resumable workspace, compare and
sweep."""
