"""Running a city: every (district, replication) is an independent task writing its own part.

Tasks run on one of three backends: ``serial`` (in this process), ``processes`` (a pool of
fresh interpreters, one task per interpreter so a finished district gives its memory back), or
``dask`` (a local or remote Dask cluster). A task builds its district, runs the replication, and
writes ``DIR/cases.parquet/district=<name>/part-<replication>.parquet`` itself, atomically, so
the case records never travel between processes and a killed run keeps every finished part.
``<name>`` is the district's name made safe by ``sim.scenario.paths.safe_component``. After
the part, the task writes its seal ``_part-<replication>.json`` beside it (ignored by Parquet
readers, which skip names starting with ``_``): the part's identity (city key, district, seed,
replication), the SHA-256 of its bytes and the part's pool table. A part is reused only if its
seal vouches for it; a damaged one is recomputed with a warning.
Only a few numbers per task come back: cases, wall time, peak memory, the pool table.

A task depends only on (district scenario, district seed, replication): the dataset is the same
whichever backend runs it and however many workers it has.
"""

from __future__ import annotations

import resource
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from sim.city.spec import City, district_seed
from sim.experiment.executors import run_calls
from sim.experiment.files import (
    Damaged,
    OutputError,
    atomic_parquet,
    check_files,
    check_identity,
    describe_os_error,
    read_sealed,
    write_sealed,
)
from sim.experiment.folder import claim, scenario_identity
from sim.experiment.workspace import model_fingerprint
from sim.model.replication import run_replication
from sim.scenario.loader import resolved_dict
from sim.scenario.paths import safe_component
from sim.scenario.schema import Scenario

CASES_DIR = "cases.parquet"


def part_path(out: Path, district: str, replication: int) -> Path:
    return (Path(out) / CASES_DIR / f"district={safe_component(district)}"
            / f"part-{replication}.parquet")


def seal_path(out: Path, district: str, replication: int) -> Path:
    return part_path(out, district, replication).with_name(f"_part-{replication}.json")


def city_identity(city: City, seed: int) -> dict:
    """What decides a city run's parts: every district's scenario (analysis-only settings left
    out), the seed and the model code."""
    return {"districts": {n: scenario_identity(resolved_dict(s))
                          for n, s in city.districts.items()},
            "seed": int(seed), "model": model_fingerprint()}


def part_identity(key: str, district: str, seed: int, replication: int) -> dict:
    return {"experiment": key, "district": district, "seed": int(seed),
            "replication": int(replication)}


def run_district(scenario_json: str, seed: int, replication: int, out: str, key: str) -> dict:
    """One task: simulate one district's replication and write its part of the dataset."""

    scenario = Scenario.model_validate_json(scenario_json)
    started, cpu = time.perf_counter(), time.process_time()
    rep = run_replication(scenario, seed, replication)
    simulated = time.perf_counter() - started
    path = part_path(Path(out), scenario.name, replication)
    seal = seal_path(Path(out), scenario.name, replication)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(describe_os_error(path.parent, exc)) from exc
    seal.unlink(missing_ok=True)   # a recomputation killed half-way must not look finished
    n = len(rep.cases)
    digest = atomic_parquet(rep.cases, path)
    pools = rep.pools.to_dict("list")
    del rep
    write_sealed(seal, {"identity": part_identity(key, scenario.name, seed, replication),
                        "sha256": {"cases": digest}, "cases": n, "pools": pools})
    return {"district": scenario.name, "replication": replication, "seed": seed, "cases": n,
            "simulate_s": simulated, "wall_s": time.perf_counter() - started,
            "cpu_s": time.process_time() - cpu,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "pools": pools}


def stored_part(out: Path, key: str, district: str, seed: int, replication: int) -> dict | None:
    """The seal of a finished, intact part; ``None`` if the part is still to do (a damaged
    one is reported on stderr first)."""
    seal = seal_path(out, district, replication)
    if not seal.exists():
        return None
    try:
        body = read_sealed(seal)
        check_identity(body, part_identity(key, district, seed, replication))
        check_files(body, {"cases": part_path(out, district, replication)})
    except Damaged as exc:
        print(f"warning: {seal}: district {district!r} replication {replication}: {exc}; "
              "recomputing it", file=sys.stderr)
        return None
    return body


def run_tasks(tasks: list[tuple[str, int, int, str]], backend: str, workers: int | None,
              scheduler: str | None = None) -> Iterator[dict]:
    """Run ``run_district`` tasks; yield each result as it finishes (in any order). Each
    district gets a fresh process, so one district's memory never adds to the next one's."""
    yield from run_calls(run_district, tasks, backend, workers, scheduler,
                         fresh_process_per_call=True)


def run_city(city: City, out: Path, seed: int = 1, reps: int = 1, backend: str = "processes",
             workers: int | None = None, scheduler: str | None = None, force: bool = False,
             progress=None) -> dict:
    """Simulate every district's replications; return the run's record (for the manifest,
    and ``pools``: every part's pool table, one row per district, replication and pool).

    Parts already on disk from the same city run, intact, are kept (the run resumes).
    """
    out = Path(out)
    key = claim(out, "city", city_identity(city, seed), force,
                f"city {city.name!r}, seed {seed}")
    started = time.perf_counter()
    tasks, reused, pools = [], [], []
    for name, scenario in city.districts.items():   # largest districts first
        payload = scenario.model_dump_json(by_alias=True)
        dseed = district_seed(seed, name)
        for r in range(reps):
            body = stored_part(out, key, name, dseed, r)
            if body is not None:
                reused.append((name, r))
                pools.append(_pool_frame(body["pools"], name))
            else:
                tasks.append((payload, dseed, r, str(out), key))
    results = []
    for res in run_tasks(tasks, backend, workers, scheduler):
        pools.append(_pool_frame(res.pop("pools"), res["district"]))
        results.append(res)
        if progress is not None:
            progress(res)
    return {"key": key, "seed": seed, "reps": reps, "backend": backend, "workers": workers,
            "wall_s": time.perf_counter() - started, "tasks": sorted(
                results, key=lambda r: (r["district"], r["replication"])),
            "reused": [f"{n}/part-{r}" for n, r in reused],
            "district_seeds": {n: district_seed(seed, n) for n in city.districts},
            "pools": pd.concat(pools, ignore_index=True) if pools else pd.DataFrame()}


def _pool_frame(columns: dict, district: str) -> pd.DataFrame:
    frame = pd.DataFrame(columns)
    frame["district"] = district
    return frame
