"""Running a city: every (district, replication) is an independent task writing its own part.

Tasks run on one of three backends: ``serial`` (in this process), ``processes`` (a pool of
fresh interpreters, one task per interpreter so a finished district gives its memory back), or
``dask`` (a local or remote Dask cluster). A task builds its district, runs the replication, and
writes ``DIR/cases.parquet/district=<name>/part-<replication>.parquet`` itself, atomically, so
the case records never travel between processes and a killed run keeps every finished part.
Only a few numbers per task come back: cases, wall time, peak memory, the pool table.

A task depends only on (district scenario, district seed, replication): the dataset is the same
whichever backend runs it and however many workers it has.
"""

from __future__ import annotations

import hashlib
import json
import resource
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from sim.city.spec import City, district_seed
from sim.experiment.executors import run_calls
from sim.experiment.workspace import (
    OutputConflict,
    atomic_parquet,
    atomic_write_bytes,
    model_fingerprint,
)
from sim.scenario.loader import resolved_dict
from sim.scenario.schema import Scenario

CASES_DIR = "cases.parquet"


def part_path(out: Path, district: str, replication: int) -> Path:
    return Path(out) / CASES_DIR / f"district={district}" / f"part-{replication}.parquet"


def city_key(city: City, seed: int) -> str:
    text = json.dumps({"districts": {n: resolved_dict(s) for n, s in city.districts.items()},
                       "seed": int(seed), "model": model_fingerprint()}, sort_keys=True,
                      default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def run_district(scenario_json: str, seed: int, replication: int, out: str) -> dict:
    """One task: simulate one district's replication and write its part of the dataset."""
    from sim.model.replication import run_replication

    scenario = Scenario.model_validate_json(scenario_json)
    started, cpu = time.perf_counter(), time.process_time()
    rep = run_replication(scenario, seed, replication)
    simulated = time.perf_counter() - started
    path = part_path(Path(out), scenario.name, replication)
    path.parent.mkdir(parents=True, exist_ok=True)
    n = len(rep.cases)
    atomic_parquet(rep.cases, path)
    pools = rep.pools
    del rep
    return {"district": scenario.name, "replication": replication, "seed": seed, "cases": n,
            "simulate_s": simulated, "wall_s": time.perf_counter() - started,
            "cpu_s": time.process_time() - cpu,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "pools": pools.to_dict("list")}


def prepare(out: Path, key: str, force: bool) -> None:
    """Create ``out``, or check it holds this city run (resume), or replace it with ``force``."""
    out = Path(out)
    key_file = out / "city_key.json"
    if key_file.exists():
        old = json.loads(key_file.read_text()).get("key")
        if old != key:
            if not force:
                raise OutputConflict(f"{out} holds another city run (key {old}, this one {key});"
                                     " use --force to replace it or choose another --out")
            shutil.rmtree(out / CASES_DIR, ignore_errors=True)
    elif out.exists() and any(out.iterdir()) and not force:
        raise OutputConflict(f"{out} exists and is not a city run; use --force or another --out")
    elif force:
        shutil.rmtree(out / CASES_DIR, ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(key_file, json.dumps({"key": key}).encode())


def run_tasks(tasks: list[tuple[str, int, int, str]], backend: str, workers: int | None,
              scheduler: str | None = None) -> Iterator[dict]:
    """Run ``run_district`` tasks; yield each result as it finishes (in any order). Each
    district gets a fresh process, so one district's memory never adds to the next one's."""
    yield from run_calls(run_district, tasks, backend, workers, scheduler,
                         fresh_process_per_call=True)


def run_city(city: City, out: Path, seed: int = 1, reps: int = 1, backend: str = "processes",
             workers: int | None = None, scheduler: str | None = None, force: bool = False,
             progress=None) -> dict:
    """Simulate every district's replications; return the run's record (for the manifest).

    Parts already on disk from the same city run are kept (the run resumes).
    """
    out = Path(out)
    key = city_key(city, seed)
    prepare(out, key, force)
    started = time.perf_counter()
    tasks, reused = [], []
    for name, scenario in city.districts.items():   # largest districts first
        payload = scenario.model_dump_json(by_alias=True)
        for r in range(reps):
            if part_path(out, name, r).exists():
                reused.append((name, r))
            else:
                tasks.append((payload, district_seed(seed, name), r, str(out)))
    results, pools = [], []
    for res in run_tasks(tasks, backend, workers, scheduler):
        pool = pd.DataFrame(res.pop("pools"))
        pool["district"] = res["district"]
        pools.append(pool)
        results.append(res)
        if progress is not None:
            progress(res)
    if pools:
        frame = pd.concat(pools, ignore_index=True)
        pools_file = out / "pools_raw.parquet"
        if pools_file.exists():   # a resumed run: keep the pools of earlier parts
            frame = pd.concat([pd.read_parquet(pools_file), frame], ignore_index=True)
            frame = frame.drop_duplicates(["district", "replication", "pool"], keep="last")
        frame.to_parquet(pools_file, index=False)
    return {"key": key, "seed": seed, "reps": reps, "backend": backend, "workers": workers,
            "wall_s": time.perf_counter() - started, "tasks": sorted(
                results, key=lambda r: (r["district"], r["replication"])),
            "reused": [f"{n}/part-{r}" for n, r in reused],
            "district_seeds": {n: district_seed(seed, n) for n in city.districts}}
