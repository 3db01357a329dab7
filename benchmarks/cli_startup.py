"""How long ``govsim --help`` takes (issue 12: under half a second), and which imports cost the
most on the way. Not a test: speed is measured here, never asserted (the test suite checks only
that building the parser imports neither pandas nor scipy, a property that does not depend on
the machine).

Each figure is the best of ``--repeats`` fresh processes (the run least disturbed by other work
on the machine): wall and CPU seconds of ``govsim --help``, and the heaviest modules of
``python -X importtime`` while building the parser.

    .venv/bin/python benchmarks/cli_startup.py --repeats 5
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from pathlib import Path

TARGET_S = 0.5


def _govsim() -> list[str]:
    script = Path(sys.executable).with_name("govsim")
    return [str(script)] if script.exists() else [sys.executable, "-m", "sim"]


def help_time(repeats: int) -> tuple[float, float]:
    """Best wall and CPU seconds of ``govsim --help`` over ``repeats`` fresh processes."""
    walls, cpus = [], []
    for _ in range(repeats):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run([*_govsim(), "--help"], check=True, stdout=subprocess.DEVNULL)
        walls.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return min(walls), min(cpus)


def heaviest_imports(count: int) -> list[tuple[float, str]]:
    """The ``count`` top-level imports with the largest cumulative time (ms) while the parser
    is built, from ``python -X importtime``."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-c",
                           "import sim.cli; sim.cli.build_parser()"],
                          check=True, capture_output=True, text=True)
    rows = []
    for line in done.stderr.splitlines():
        parts = line.removeprefix("import time:").split("|")
        if len(parts) != 3 or not parts[1].strip().isdigit():
            continue
        name = parts[2].rstrip()
        if name.startswith(" ") and not name.startswith("  "):   # one level below the root
            name = name.strip()
        elif name.startswith(" "):
            continue
        rows.append((int(parts[1]) / 1000, name))
    return sorted(rows, reverse=True)[:count]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--top", type=int, default=8, help="heaviest imports shown")
    args = p.parse_args(argv)
    wall, cpu = help_time(args.repeats)
    print(f"govsim --help: best of {args.repeats}: {wall:.3f} s wall, {cpu:.3f} s CPU "
          f"(target < {TARGET_S} s)")
    print("heaviest imports while building the parser (cumulative ms):")
    for ms, name in heaviest_imports(args.top):
        print(f"  {ms:8.1f}  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
