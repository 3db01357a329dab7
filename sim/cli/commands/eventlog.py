"""``govsim eventlog RUN_FOLDER --start DATE``: the run's case records as an event log (XES or
OCEL 2.0) for process-mining tools."""

from __future__ import annotations

import argparse
from datetime import date

from sim.cli import flags


def start_date(text: str) -> date:
    """``--start``: an ISO date (``2025-01-06``) that is a Monday, the weekday of hour 0."""
    from sim.experiment.event_log import check_start

    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date like 2025-01-06, got {text!r}"
                                         ) from None
    try:
        return check_start(day)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def register(sub) -> None:
    p = sub.add_parser(
        "eventlog", help="export a run's cases as an event log (XES or OCEL 2.0)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Write one event per step of every case of a run folder (occurred, "
                    "reported, dispatched, referred, bounced, whistled, on site, resolved, "
                    "closed, reopened) with the unit that took it, for process-mining tools "
                    "(pm4py, ProM, Disco, Celonis). Simulated hour 0 is --start at 00:00 local "
                    "time; times are written without a time zone.",
        epilog="examples (after govsim run scenarios/whistle.yaml --reps 2 --out "
               "results/whistle):\n"
               "  govsim eventlog results/whistle --start 2025-01-06\n"
               "  govsim eventlog results/whistle --start 2025-01-06 --format ocel "
               "--replication 0 --out whistle.ocel.json")
    p.add_argument("folder", help="a run folder (what govsim run --out wrote; for compare, "
                                  "one scenario's folder)")
    p.add_argument("--start", required=True, type=start_date, metavar="DATE",
                   help="the calendar date of hour 0 (a Monday, e.g. 2025-01-06)")
    p.add_argument("--format", dest="fmt", choices=("xes", "ocel"), default="xes",
                   help="xes (IEEE XES, opened by most tools; default) or ocel (OCEL 2.0 JSON)")
    p.add_argument("--replication", type=flags.whole_number(0, flags.MAX_REPS), default=None,
                   metavar="N", help="only replication N (default: every replication, each "
                                     "case named 'rep R case I')")
    p.add_argument("--out", default=None, metavar="FILE",
                   help="the file to write (default: eventlog.xes or eventlog.ocel.json in the "
                        "run folder, eventlog-repN.* with --replication)")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from sim.experiment.event_log import export_event_log

    path = export_event_log(args.folder, args.start, args.fmt, args.replication, args.out)
    print(f"event log: {path}")
    return 0
