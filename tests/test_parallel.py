"""The worker pools (codemod/parallel.py, codemod/forkpool.py) with real
forked workers: a worker's warm-up runs before its first task and never
breaks the pool; each result reaches its own wait; an idle worker takes the
next task while the parent is busy elsewhere; a task's exception is raised
from its wait; large arguments and results never deadlock; no worker
outlives the pool, whatever ends it. Both pools unless a test says why not:
the one-shot command line's (`oneshot=True`) and ProcessPoolExecutor."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from codemod.forkpool import WorkerLost
from codemod.parallel import MIN_ITEMS_FOR_POOL, Workers
from helpers import ended

BUSY = 0.1  # seconds a task holds its worker
POOLS = pytest.mark.parametrize("oneshot", [True, False], ids=["oneshot", "executor"])
ROOT = Path(__file__).resolve().parent.parent


def _pid_after(seconds: float) -> int:
    """The process that ran it."""
    time.sleep(seconds)
    return os.getpid()


def _ran(seconds: float, tag: int) -> tuple[int, int, float]:
    """(its tag, the process that ran it, when it ended)."""
    time.sleep(seconds)
    return tag, os.getpid(), time.monotonic()


def _logged(tag: int) -> int:
    """Appends its tag to its worker's log (the folder comes through the environment a fork inherits)."""
    with open(os.path.join(os.environ["NAPI_FIX_TEST_LOG"], str(os.getpid())), "a") as out:
        out.write(f"{tag}\n")
    time.sleep(0.005)
    return tag


def _warm() -> None:
    """One line per warm-up, naming the worker."""
    with open(os.environ["NAPI_FIX_TEST_WARM_LOG"], "a") as out:
        out.write(f"{os.getpid()}\n")


def _warm_fails() -> None:
    raise RuntimeError("a warm-up that fails")


def _raises(kind: type[BaseException]) -> None:
    raise kind(f"raised by {kind.__name__}")


def _deep(depth: int) -> int:
    return _deep(depth + 1)


class _Unpicklable(Exception):
    def __init__(self, a, b):  # rebuilt from args alone, this __init__ misses b
        super().__init__(a)
        self.b = b


def _raises_unpicklable() -> None:
    raise _Unpicklable("a", "b")


def _echo(data: bytes) -> bytes:
    """Its argument back, reversed: a large argument and a large result."""
    return data[::-1]


def _sums(chunk) -> list[int]:
    return [2 * i for i in chunk]


def _killed() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _pids(workers: Workers) -> set[int]:
    """The workers' process ids: tasks queued together, so that both take some."""
    waits = [workers.submit(_pid_after, 0.05) for _ in range(4)]
    return {wait() for wait in waits}


@contextmanager
def _within(seconds: int):
    """A hang fails the test instead of stopping the suite."""
    def timed_out(signum, frame):
        raise TimeoutError(f"still waiting after {seconds} s")

    previous = signal.signal(signal.SIGALRM, timed_out)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _gone(pids) -> bool:
    """Every one of `pids` reaped: neither running nor a zombie of ours."""
    for pid in pids:
        try:
            os.waitpid(pid, os.WNOHANG)  # running, or a zombie reaped only now, by us
            return False
        except ChildProcessError:
            pass
        if os.path.exists(f"/proc/{pid}"):
            return False
    return True


@POOLS
def test_each_worker_warms_up_before_its_first_task(tmp_path, monkeypatch, oneshot):
    monkeypatch.setenv("NAPI_FIX_TEST_WARM_LOG", str(tmp_path / "warm"))
    with Workers(2, oneshot) as workers:
        workers.start(warm=_warm)
        assert workers.started
        pids = {workers.submit(_pid_after, BUSY)() for _ in range(4)}
    warmed = open(tmp_path / "warm").read().split()
    assert len(warmed) == 2 and set(map(str, pids)) <= set(warmed)


@POOLS
def test_a_warm_up_that_fails_leaves_the_pool_working(oneshot):
    with Workers(2, oneshot) as workers:
        workers.start(warm=_warm_fails)
        assert workers.submit(_pid_after, 0.0)() != os.getpid()


@POOLS
def test_a_pool_is_started_only_when_asked_or_needed(oneshot):
    with Workers(2, oneshot) as workers:
        assert not workers.started
        assert workers.submit(_pid_after, 0.0, pool=False)() == os.getpid()
        assert not workers.started
        workers.start()
        assert workers.started
    with Workers(1, oneshot) as workers:
        workers.start(warm=_warm_fails)
        assert not workers.started  # one job: never a pool


@POOLS
def test_each_result_reaches_its_own_wait(oneshot):
    with Workers(2, oneshot) as workers, _within(30):
        waits = [workers.submit(_ran, 0.001 * (i % 3), i) for i in range(40)]
        results = [wait() for wait in reversed(waits)][::-1]
        assert [tag for tag, _, _ in results] == list(range(40))
        assert len({pid for _, pid, _ in results}) == 2 and os.getpid() not in {pid for _, pid, _ in results}
        assert waits[7]() == results[7]  # a wait answers again alike


@POOLS
def test_map_chunks_answers_in_order(oneshot):
    items = list(range(MIN_ITEMS_FOR_POOL * 3 + 5))
    with Workers(2, oneshot) as workers, _within(30):
        assert [x for chunk in workers.map_chunks(_sums, items) for x in chunk] == [2 * i for i in items]
        assert workers.started


@POOLS
def test_an_idle_worker_takes_the_next_task_while_the_parent_is_busy(oneshot):
    """One long task and three short ones queued, then the parent busy
    elsewhere (as it is walking the tree): the worker free after the first
    short task takes the other two, with no call from the parent. Tasks
    dealt out ahead in turns would leave the third behind the long one."""
    with Workers(2, oneshot) as workers, _within(30):
        workers.start()
        workers.submit(_pid_after, 0.0)()  # both workers up
        waits = [workers.submit(_ran, 1.0, 0)] + [workers.submit(_ran, 0.05, i) for i in (1, 2, 3)]
        time.sleep(0.6)  # the parent walks: it calls nothing of the pool
        woke = time.monotonic()
        long, *short = [wait() for wait in waits]
    assert {pid for _, pid, _ in short} == {short[0][1]} != {long[1]}
    assert all(ended < woke for _, _, ended in short)


def test_each_worker_runs_its_tasks_in_the_order_they_were_submitted(tmp_path, monkeypatch):
    monkeypatch.setenv("NAPI_FIX_TEST_LOG", str(tmp_path))
    with Workers(2, oneshot=True) as workers, _within(30):
        waits = [workers.submit(_logged, i) for i in range(60)]
        assert [wait() for wait in waits] == list(range(60))
    logs = [[int(line) for line in log.read_text().split()] for log in tmp_path.iterdir()]
    assert len(logs) == 2 and sorted(sum(logs, [])) == list(range(60))
    assert all(log == sorted(log) for log in logs)


@POOLS
@pytest.mark.parametrize("call, raised, message", [
    pytest.param((_raises, ValueError), ValueError, "raised by ValueError", id="value-error"),
    pytest.param((_raises, KeyError), KeyError, "raised by KeyError", id="key-error"),
    pytest.param((_deep, 0), RecursionError, "maximum recursion depth exceeded", id="recursion"),
])
def test_a_task_s_exception_is_raised_from_its_wait_and_the_pool_goes_on(oneshot, call, raised, message):
    with Workers(2, oneshot) as workers, _within(30):
        wait = workers.submit(*call)
        with pytest.raises(raised, match=message) as caught:
            wait()
        assert "Traceback" in str(caught.value.__cause__)  # the worker's, for whoever reports it
        assert workers.submit(_pid_after, 0.0)() != os.getpid()


def test_an_exception_that_cannot_come_back_still_fails_its_wait():
    """(ProcessPoolExecutor takes it for a broken pool: every wait fails.)"""
    with Workers(2, oneshot=True) as workers, _within(30):
        with pytest.raises(Exception) as caught:
            workers.submit(_raises_unpicklable)()
        assert not isinstance(caught.value, _Unpicklable)
        assert workers.submit(_pid_after, 0.0)() != os.getpid()


@POOLS
def test_large_arguments_and_results_do_not_block_either_side(oneshot):
    """Many megabytes each way, all submitted before any wait, then the
    parent busy: full pipes must wait for the other side, never deadlock."""
    blobs = [bytes([i]) * (3 << 20) + os.urandom(64) for i in range(6)]
    with Workers(2, oneshot) as workers, _within(60):
        waits = [workers.submit(_echo, blob) for blob in blobs]
        time.sleep(0.3)
        assert [wait() for wait in reversed(waits)] == [blob[::-1] for blob in reversed(blobs)]


@POOLS
@pytest.mark.parametrize("ending", ["normal", "exception", "unanswered"])
def test_no_worker_outlives_the_pool(oneshot, ending):
    """Whatever ends the with-block, every worker is gone and reaped: an
    exception cancels, and a task nobody waits for any more is not waited for."""
    with _within(30):
        try:
            with Workers(2, oneshot) as workers:
                pids = _pids(workers)
                if ending != "normal":
                    workers.submit(_pid_after, 60 if oneshot else BUSY)  # never waited for
                if ending == "exception":
                    raise LookupError("the caller's own failure")
        except LookupError:
            pass
    assert len(pids) == 2 and _gone(pids)


def test_a_killed_worker_fails_every_wait_left_and_never_hangs():
    """Today's BrokenProcessPool, named: which worker, and which signal."""
    with _within(30):
        with Workers(2, oneshot=True) as workers:
            pids = _pids(workers)
            waits = [workers.submit(_pid_after, BUSY) for _ in range(4)]
            killed = workers.submit(_killed)
            later = [workers.submit(_pid_after, BUSY) for _ in range(4)]
            with pytest.raises(WorkerLost, match=r"a worker process \(pid \d+\) was killed by SIGKILL"):
                killed()
            with pytest.raises(WorkerLost):
                later[-1]()
            with pytest.raises(WorkerLost):
                workers.submit(_pid_after, 0.0)
            assert waits[0]() in pids  # answered before the loss: still there
    assert _gone(pids)


CHILD = """
import os, signal, sys, time
from codemod.parallel import Workers

def pid_after(seconds):
    time.sleep(seconds)
    return os.getpid()

with Workers(2, oneshot=True) as workers:
    pids = {wait() for wait in [workers.submit(pid_after, 0.05) for _ in range(4)]}
    print(*pids, flush=True)
    try:
        workers.submit(pid_after, 30)()
    except KeyboardInterrupt:
        print("interrupted", flush=True)
        raise
"""


@pytest.fixture
def child():
    """A process whose pool's workers are busy (its own session: signals for
    it alone); whatever a failing test leaves of it is killed at the end."""
    started = []
    yield lambda: started.append(_child()) or started[-1]
    for process, pids in started:
        for pid in (process.pid, *pids):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        process.communicate(timeout=30)


def _child() -> tuple[subprocess.Popen, list[int]]:
    child = subprocess.Popen([sys.executable, "-c", CHILD], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             cwd=ROOT, start_new_session=True)
    pids = [int(pid) for pid in child.stdout.readline().split()]
    assert len(pids) == 2, child.stderr.read()
    time.sleep(0.1)  # one worker in its 30 s task
    return child, pids


def _ignores_sigint(pid: int) -> bool:
    with open(f"/proc/{pid}/status") as status:
        ignored = next(line.split()[1] for line in status if line.startswith("SigIgn:"))
    return bool(int(ignored, 16) & (1 << (signal.SIGINT - 1)))


def test_ctrl_c_stops_the_parent_alone_and_it_ends_its_workers(child):
    """A terminal's Ctrl-C reaches every process of the group: the workers
    ignore it, the parent's wait raises KeyboardInterrupt and the pool ends
    them before the parent goes on."""
    process, pids = child()
    assert all(_ignores_sigint(pid) for pid in pids)
    os.killpg(process.pid, signal.SIGINT)
    out, err = process.communicate(timeout=30)
    assert out == b"interrupted\n" and b"KeyboardInterrupt" in err and err.count(b"Traceback") == 1
    assert process.returncode != 0 and ended(pids)


def test_workers_end_with_their_parent_even_when_it_is_killed(child):
    process, pids = child()
    process.kill()  # SIGKILL: no clean-up of its own
    process.wait(timeout=30)  # not communicate(): a worker left would hold the pipes open
    assert ended(pids)
