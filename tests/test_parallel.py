"""The worker pool (codemod/parallel.py) with real forked workers: a shared
task that no worker has taken is made by the caller, exactly once, and a
worker's warm-up runs before its first task without ever breaking the pool."""

from __future__ import annotations

import os
import time

import pytest

from codemod.parallel import Workers

BUSY = 0.4  # seconds each blocking task holds its worker


def _pid_after(seconds: float, log: str | None = None) -> int:
    """The process that ran it; one line in `log` per run."""
    time.sleep(seconds)
    if log is not None:
        with open(log, "a") as out:
            out.write(f"{os.getpid()}\n")
    return os.getpid()


def _blocked(workers: Workers) -> list:
    """Tasks that keep both workers busy and fill the pool's call queue
    (max_workers + 1 items are handed over at once): the next submit waits."""
    return [workers.submit(_pid_after, BUSY) for _ in range(workers.jobs + 1)]


@pytest.mark.parametrize("share, made_here", [
    pytest.param(True, True, id="shared: the caller makes it"),
    pytest.param(False, False, id="not shared: a worker makes it"),
])
def test_a_task_no_worker_took_is_made_by_the_caller_only_when_shared(tmp_path, share, made_here):
    log = str(tmp_path / "runs")
    with Workers(2) as workers:
        busy = _blocked(workers)
        wait = workers.submit(_pid_after, 0.0, log, share=share)
        made_by = wait()
        assert {wait() for wait in busy} != {os.getpid()}  # the blockers ran on workers
    assert (made_by == os.getpid()) is made_here
    assert open(log).read().split() == [str(made_by)]  # made once


def test_a_shared_task_a_worker_took_is_waited_for_not_made_twice(tmp_path):
    log = str(tmp_path / "runs")
    with Workers(2) as workers:
        wait = workers.submit(_pid_after, BUSY / 2, log, share=True)
        time.sleep(BUSY / 4)  # the worker has it by now
        made_by = wait()
    assert made_by != os.getpid()
    assert open(log).read().split() == [str(made_by)]


def test_inline_pools_ignore_share():
    with Workers(1) as workers:
        assert workers.submit(_pid_after, 0.0, share=True)() == os.getpid()
        assert not workers.started


def _write_pid(path: str) -> None:
    with open(path, "a") as out:
        out.write(f"{os.getpid()}\n")


def _warm_log() -> str:
    return os.environ["NAPI_FIX_TEST_WARM_LOG"]


def _warm() -> None:
    _write_pid(_warm_log())


def _warm_fails() -> None:
    raise RuntimeError("a warm-up that fails")


def test_each_worker_warms_up_before_its_first_task(tmp_path, monkeypatch):
    monkeypatch.setenv("NAPI_FIX_TEST_WARM_LOG", str(tmp_path / "warm"))
    with Workers(2) as workers:
        workers.start(warm=_warm)
        assert workers.started
        pids = {workers.submit(_pid_after, BUSY / 4)() for _ in range(4)}
    warmed = open(tmp_path / "warm").read().split()
    assert len(warmed) == 2 and set(map(str, pids)) <= set(warmed)


def test_a_warm_up_that_fails_leaves_the_pool_working():
    with Workers(2) as workers:
        workers.start(warm=_warm_fails)
        assert workers.submit(_pid_after, 0.0)() != os.getpid()
