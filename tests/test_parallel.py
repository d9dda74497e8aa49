"""The worker pool (codemod/parallel.py) with real forked workers: a
worker's warm-up runs before its first task, and never breaks the pool."""

from __future__ import annotations

import os
import time

from codemod.parallel import Workers

BUSY = 0.1  # seconds a task holds its worker


def _pid_after(seconds: float) -> int:
    """The process that ran it."""
    time.sleep(seconds)
    return os.getpid()


def _warm() -> None:
    """One line per warm-up, naming the worker (the log's path comes through the environment a fork inherits)."""
    with open(os.environ["NAPI_FIX_TEST_WARM_LOG"], "a") as out:
        out.write(f"{os.getpid()}\n")


def _warm_fails() -> None:
    raise RuntimeError("a warm-up that fails")


def test_each_worker_warms_up_before_its_first_task(tmp_path, monkeypatch):
    monkeypatch.setenv("NAPI_FIX_TEST_WARM_LOG", str(tmp_path / "warm"))
    with Workers(2) as workers:
        workers.start(warm=_warm)
        assert workers.started
        pids = {workers.submit(_pid_after, BUSY)() for _ in range(4)}
    warmed = open(tmp_path / "warm").read().split()
    assert len(warmed) == 2 and set(map(str, pids)) <= set(warmed)


def test_a_warm_up_that_fails_leaves_the_pool_working():
    with Workers(2) as workers:
        workers.start(warm=_warm_fails)
        assert workers.submit(_pid_after, 0.0)() != os.getpid()


def test_a_pool_is_started_only_when_asked_or_needed():
    with Workers(2) as workers:
        assert not workers.started
        assert workers.submit(_pid_after, 0.0, pool=False)() == os.getpid()
        assert not workers.started
        workers.start()
        assert workers.started
    with Workers(1) as workers:
        workers.start(warm=_warm_fails)
        assert not workers.started  # one job: never a pool
