"""The names of the parameter groups ``govsim calibrate fit`` can search (``sim.calibration.space``
says what each one changes). A module of its own, importing nothing, so that building the command
line's parser does not load the scenario layer (``govsim --help`` stays fast)."""

GROUPS = ("staff", "work", "referral_delay", "bounce_prob", "quality_failure", "admin_closure")
