"""Executors: where replications run (serial, local processes, or a Dask cluster).

Every replication is computed from (scenario, seed, replication index) alone, so the results are
the same whichever executor runs it and however many workers it has. Results come back as they
finish, in any order; the caller stores each one at once.

A worker process that dies (killed by the system, out of memory, ``kill -9``) ends the run with
``WorkerLost``: the replications already returned were stored by the caller and are kept.
A scheduler that cannot be reached is refused as a bad ``--scheduler``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

from sim.experiment.backends import BACKENDS
from sim.model.replication import Replication, run_replication
from sim.scenario.errors import Problem, ScenarioError
from sim.scenario.schema import Scenario


class WorkerLost(RuntimeError):
    """A worker process died while running a task; the results returned before are kept."""

    def __init__(self, backend: str):
        super().__init__(
            f"a worker process of --backend {backend} died while running a replication "
            "(killed, or out of memory?); the replications finished before are kept: rerun the "
            "same command to resume, with fewer --workers if memory ran out")


def _task(scenario_json: str, seed: int, replication: int) -> Replication:
    scenario = Scenario.model_validate_json(scenario_json)
    return run_replication(scenario, seed, replication)


def run_tasks(tasks: list[tuple[Scenario, int, int]], backend: str = "serial",
              workers: int | None = None, scheduler: str | None = None
              ) -> Iterator[Replication]:
    """Run (scenario, seed, replication) tasks; yield each Replication as it finishes."""
    payload = [(s.model_dump_json(by_alias=True), seed, rep) for s, seed, rep in tasks]
    yield from run_calls(_task, payload, backend, workers, scheduler)


def run_calls(function: Callable, calls: list[tuple], backend: str = "serial",
              workers: int | None = None, scheduler: str | None = None,
              fresh_process_per_call: bool = False) -> Iterator:
    """Call ``function(*args)`` for each ``args`` of ``calls`` on ``backend``; yield each result
    as it finishes, in any order.

    ``function`` must be importable by name (worker processes import it). With
    ``fresh_process_per_call`` each call gets a new worker process, so memory a large call
    leaves behind is returned to the system (processes backend).
    """
    if not calls:
        return
    if backend == "serial":
        for args in calls:
            yield function(*args)
    elif backend == "processes":
        yield from _processes(function, calls, workers, fresh_process_per_call)
    elif backend == "dask":
        yield from _dask(function, calls, workers, scheduler)
    else:
        raise ValueError(f"unknown backend {backend!r}; use one of {', '.join(BACKENDS)}")


def _processes(function, calls, workers, fresh) -> Iterator:
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    workers = workers or os.cpu_count() or 1
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx,
                             max_tasks_per_child=1 if fresh else None) as pool:
        pending = {pool.submit(function, *args) for args in calls}
        try:
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    try:
                        result = fut.result()
                    except BrokenProcessPool:
                        raise WorkerLost("processes") from None
                    yield result
        finally:
            for fut in pending:
                fut.cancel()


def connect(scheduler: str):
    """A ``distributed.Client`` of the scheduler at ``scheduler``; one that cannot be reached
    (bad address, nobody listening within dask's connect timeout) is a bad ``--scheduler``."""
    from distributed import Client

    try:
        return Client(scheduler)
    except (OSError, ValueError, TimeoutError) as exc:

        reason = (str(exc).splitlines() or [type(exc).__name__])[0]
        raise ScenarioError([Problem("--scheduler", "",
                                     f"cannot connect to {scheduler!r}: {reason}")]) from None


def _dask(function, calls, workers, scheduler) -> Iterator:
    from distributed import Client, KilledWorker, LocalCluster, as_completed

    cluster = None
    if scheduler:
        client = connect(scheduler)
    else:
        cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1,
                               processes=True, dashboard_address=":0")
        client = Client(cluster)
    try:
        futures = [client.submit(function, *args, pure=False) for args in calls]
        try:
            for fut in as_completed(futures):
                try:
                    result = fut.result()
                except KilledWorker:
                    raise WorkerLost("dask") from None
                yield result
        finally:
            client.cancel(futures)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
