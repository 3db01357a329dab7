"""Executors: where replications run (serial, local processes, or a Dask cluster).

Every replication is computed from (scenario, seed, replication index) alone, so the results are
the same whichever executor runs it and however many workers it has. Results come back as they
finish, in any order; the caller stores each one at once.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from sim.run import Replication, run_replication
from sim.scenario.schema import Scenario

BACKENDS = ("serial", "processes", "dask")


def _task(scenario_json: str, seed: int, replication: int) -> Replication:
    scenario = Scenario.model_validate_json(scenario_json)
    return run_replication(scenario, seed, replication)


def run_tasks(tasks: list[tuple[Scenario, int, int]], backend: str = "serial",
              workers: int | None = None, scheduler: str | None = None
              ) -> Iterator[Replication]:
    """Run (scenario, seed, replication) tasks; yield each Replication as it finishes."""
    if not tasks:
        return
    payload = [(s.model_dump_json(by_alias=True), seed, rep) for s, seed, rep in tasks]
    if backend == "serial":
        for args in payload:
            yield _task(*args)
    elif backend == "processes":
        yield from _processes(payload, workers)
    elif backend == "dask":
        yield from _dask(payload, workers, scheduler)
    else:
        raise ValueError(f"unknown backend {backend!r}; use one of {', '.join(BACKENDS)}")


def _processes(payload, workers) -> Iterator[Replication]:
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    workers = workers or os.cpu_count() or 1
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        pending = {pool.submit(_task, *args) for args in payload}
        try:
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    yield fut.result()
        finally:
            for fut in pending:
                fut.cancel()


def _dask(payload, workers, scheduler) -> Iterator[Replication]:
    from distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1,
                               processes=True, dashboard_address=":0")
        client = Client(cluster)
    try:
        futures = [client.submit(_task, *args, pure=False) for args in payload]
        try:
            for fut in as_completed(futures):
                yield fut.result()
        finally:
            client.cancel(futures)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


