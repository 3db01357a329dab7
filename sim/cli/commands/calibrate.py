"""``govsim calibrate LOG.csv``: fit close-time distributions to a real 311 log."""

from __future__ import annotations

import argparse
from pathlib import Path

import yaml

from sim.analysis.calibration import calibrate, qq_figure, read_la311
from sim.cli import flags


def register(sub) -> None:
    p = sub.add_parser("calibrate", help="fit close-time distributions to a LA 311 log",
                       description="Fit a censored lognormal, a quick-closure mixture and the "
                                   "empirical distribution of close times, per group, with KS "
                                   "distances; write calibration.yaml and a Q-Q figure.")
    p.add_argument("log", help="a LA 311 CSV export (see data/la311/)")
    p.add_argument("--by", choices=["owner", "request_type", "council"], default="owner")
    p.add_argument("--min-n", type=flags.whole_number(1, 10**9), default=30,
                   help="smallest group fitted (default 30)")
    p.add_argument("--quick", type=flags.non_negative_number, default=1.0,
                   help="hours under which a closure counts as administrative (default 1)")
    p.add_argument("--out", default="results/calibration", help="output folder")
    from sim.cli.args import add_figure_args

    add_figure_args(p)
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    requests = read_la311(args.log)
    fits = calibrate(requests, args.by, args.min_n, args.quick)
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
    from sim.cli.args import figure_options

    fig = qq_figure(requests, fits, args.by, out / "qq.png", figure_options(args))
    print(f"written: {out / 'calibration.yaml'}, {fig}")
    return 0
