"""``govsim calibrate distributions LOG``: fit close-time distributions to a real case log."""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.cli import flags

BY = {"department": "department", "case_type": "case_type", "street": "street",
      # The LA 311 names of the same columns, as the first version of the command took them.
      "owner": "department", "request_type": "case_type", "council": "street"}


def add_mapping_arg(p: argparse.ArgumentParser) -> None:
    """``--mapping``: how to read the log (shared by the calibrate subcommands)."""
    p.add_argument("--mapping", default=None, metavar="M",
                   help="a mapping YAML file or a bundled mapping name (la311_2017, "
                        "la311_2020); default: the bundled mapping that fits the columns")


def register_subcommand(sub) -> None:
    p = sub.add_parser("distributions", help="fit close-time distributions per group",
                       description="Fit a censored lognormal, a quick-closure mixture and the "
                                   "empirical distribution of close times, per group, with KS "
                                   "distances; write calibration.yaml and a Q-Q figure.")
    p.add_argument("log", help="a case log CSV (e.g. data/la311/*.csv)")
    add_mapping_arg(p)
    p.add_argument("--by", choices=list(BY), default="department",
                   help="group by department (owner), case_type (request_type) or street "
                        "(council)")
    p.add_argument("--min-n", type=flags.whole_number(1, 10**9), default=30,
                   help="smallest group fitted (default 30)")
    p.add_argument("--quick", type=flags.non_negative_number, default=1.0,
                   help="hours under which a closure counts as administrative (default 1)")
    p.add_argument("--out", default="results/calibration", help="output folder")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    import yaml

    from sim.analysis.calibration import calibrate, qq_figure
    from sim.calibration.log import read_case_log
    from sim.scenario.errors import Problem, ScenarioError

    log = read_case_log(args.log, args.mapping)
    requests = log.close_times()
    if requests["censored"].all():
        raise ScenarioError([Problem(str(args.log), "", "no closed request to fit: every "
                                                        "request is still open")])
    by = BY[args.by]
    fits = calibrate(requests, by, args.min_n, args.quick)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    print(f"{args.log}: {len(requests):,} requests ({int(requests['censored'].sum())} still open, "
          "censored)")
    header = (f"{'group':<28}{'n':>7}{'open':>6}{'p50 h':>9}{'p90 h':>9}  "
              f"{'lognormal median/sigma':>22}{'KS':>6}  {'quick':>6}{'KS mix':>8}")
    print(header)
    for f in fits:
        print(f"{f.group[:27]:<28}{f.n:>7}{f.censored:>6}{f.median_h:>9.1f}{f.p90_h:>9.1f}  "
              f"{f.lognormal[0]:>13.1f} / {f.lognormal[1]:<6.2f}{f.ks_lognormal:>6.2f}  "
              f"{100 * f.quick_share:>5.1f}%{f.ks_mixture:>8.2f}")
    blocks = {f.group: f.scenario_blocks() for f in fits}
    (out / "calibration.yaml").write_text(
        "# Close-time distributions (hours) fitted by govsim calibrate; paste one into a "
        "scenario.\n" + yaml.safe_dump(blocks, sort_keys=False, width=100))
    fig = qq_figure(requests, fits, by, out / "qq.png")
    print(f"written: {out / 'calibration.yaml'}, {fig}")
    return 0
