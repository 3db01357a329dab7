"""Sample the total resident memory of a command and all its descendants (Linux /proc).

    .venv/bin/python benchmarks/tree_rss.py -- govsim city scenarios/beijing_city.yaml ...

``/usr/bin/time -v`` reports the largest single process; a parallel run's footprint is the sum
over its worker processes at the same moment, which this samples every ``--interval`` seconds.
Prints the peak sum, the wall time and the exit code when the command ends.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time


def _children() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        kids.setdefault(ppid, []).append(int(entry))
    return kids


def tree_rss_mb(root: int) -> float:
    kids, total, todo = _children(), 0, [root]
    page = os.sysconf("SC_PAGE_SIZE")
    while todo:
        pid = todo.pop()
        try:
            with open(f"/proc/{pid}/statm") as f:
                total += int(f.read().split()[1]) * page
        except OSError:
            pass
        todo += kids.get(pid, [])
    return total / 2**20


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--interval", type=float, default=0.5)
    p.add_argument("command", nargs=argparse.REMAINDER)
    args = p.parse_args()
    cmd = args.command[1:] if args.command[:1] == ["--"] else args.command
    started = time.perf_counter()
    proc = subprocess.Popen(cmd)
    peak = 0.0
    while proc.poll() is None:
        peak = max(peak, tree_rss_mb(proc.pid))
        time.sleep(args.interval)
    print(f"tree_rss: peak {peak:,.0f} MB (sum over the process tree), wall "
          f"{time.perf_counter() - started:,.1f} s, exit {proc.returncode}", file=sys.stderr)
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main())
