"""Per-file work on both cores: a process pool when it pays, the same
function inline when it does not (jobs == 1, a small input, or a reader
that cannot cross a process boundary). One code path either way: a task is
a pickled call, run by whichever pool there is.

Two pools, chosen by the front-end. The one-shot command line (cli.py,
`oneshot=True`) gets forkpool.py's: forked workers and pipes, no threads,
nothing imported beyond select and fcntl. In a dry run the parent
(walking, sifting, merging) is the critical path, and ProcessPoolExecutor
would cost it ~20 ms of imports and start-up, and its threads' CPU during
the walk. The long-lived front-ends keep ProcessPoolExecutor: the editor
server takes a Future from `ahead()` and cancels it, and it and the batch
runner start threads of their own, which a pool of plain forks would have
to be kept clear of.
"""

from __future__ import annotations

import os
import pickle
import sys
from functools import partial
from typing import Callable, Iterator, Sequence, TypeVar

T = TypeVar("T")
R = TypeVar("R")

MIN_ITEMS_FOR_POOL = 256  # below this, forking costs more than it saves
CHUNK = 64  # files per task at most


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


class Workers:
    """A process pool started on first need and reused until closed;
    `oneshot`: the light pool, for one run of the command line (see above)."""

    def __init__(self, jobs: int, oneshot: bool = False):
        self.jobs = jobs
        self.oneshot = oneshot
        self._pool = None

    def __enter__(self) -> "Workers":
        return self

    def __exit__(self, *exc) -> None:
        pool, self._pool = self._pool, None
        if pool is None:
            pass
        elif self.oneshot:
            pool.shutdown(cancel=exc[0] is not None)
        else:
            pool.shutdown(cancel_futures=exc[0] is not None)

    def map_chunks(self, fn: Callable[[Sequence[T]], R], items: Sequence[T]) -> Iterator[R]:
        """fn over chunks of items; results come back in order."""
        if self.jobs <= 1 or len(items) < MIN_ITEMS_FOR_POOL or _pickled(fn) is None:
            yield fn(items)
            return
        # Small chunks: the few files worth parsing are spread unevenly, and
        # many small chunks keep both workers busy to the end.
        size = max(16, min(CHUNK, len(items) // (self.jobs * 4)))
        waits = [self.submit(fn, items[i : i + size]) for i in range(0, len(items), size)]
        for wait in waits:
            yield wait()

    def submit(self, fn: Callable[..., R], *args, pool: bool = True) -> Callable[[], R]:
        """Start fn(*args) on a worker now (when there is a pool and `pool`
        says the work is worth it); else run it inline when its result is
        asked for. Returns the function that waits for the result."""
        call = partial(fn, *args)
        if self.jobs <= 1 or not pool:
            return call
        pickled = _pickled(call)
        if pickled is None:
            return call
        if self.oneshot:
            return self._started().submit(pickled)
        return self._started().submit(call).result

    def ahead(self, fn: Callable[..., R], *args):
        """Start fn(*args) on a worker now and return its Future; None when
        no pool is running (the caller then does the work itself when it
        needs it), and always under the one-shot pool, which has no
        Futures. Never forks: its caller, the editor server, has threads
        by then (see start). A call that cannot be pickled fails its Future."""
        return self._pool.submit(fn, *args) if self._pool is not None and not self.oneshot else None

    def start(self, warm: Callable[[], None] | None = None) -> None:
        """Fork the workers now: a caller about to start threads of its own
        must, since a fork copies whatever locks those threads hold. With
        fork, the pool starts every worker at its first submit; nothing
        needs waiting for. `warm`: what each new worker runs first, to load
        what its first tasks need while the caller is busy with other work
        (ignored when the pool is already running)."""
        if self.jobs > 1:
            pool = self._started(warm)
            if not self.oneshot:
                pool.submit(int)  # with fork, the executor starts every worker at its first submit

    @property
    def started(self) -> bool:
        return self._pool is not None

    def _started(self, warm: Callable[[], None] | None = None):
        if self._pool is None and self.oneshot:
            from codemod.forkpool import ForkPool

            self._pool = ForkPool(self.jobs, partial(_worker_started, os.getpid(), warm))
        elif self._pool is None:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            # fork: workers inherit the loaded grammar and queries instead of re-importing.
            self._pool = ProcessPoolExecutor(max_workers=self.jobs, mp_context=multiprocessing.get_context("fork"),
                                             initializer=_worker_started, initargs=(os.getpid(), warm))
        return self._pool


def _worker_started(parent: int, warm: Callable[[], None] | None = None) -> None:
    """In each worker, first. It ignores Ctrl-C: the parent alone decides
    what an interrupt stops. And it ends with its parent: an editor kills a
    language server that does not stop in time (SIGKILL, no clean-up), and
    the pool's workers would otherwise wait on their queue for ever. Then
    `warm`, if given: a failure there is only a missed head start (the task
    that needs the same thing meets it again and reports it)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if _die_with_parent(signal.SIGTERM) and os.getppid() != parent:
        os._exit(0)  # the parent died before the request was made: no signal will come
    if warm is not None:
        try:
            warm()
        except Exception:  # noqa: BLE001 -- see above: the work itself reports it
            pass


def _die_with_parent(signum: int) -> bool:
    """Ask Linux to send `signum` when the parent dies (prctl PR_SET_PDEATHSIG);
    False where that cannot be asked. The parent is the thread that forked:
    the pool forks from the thread that first submits, the main one in the
    CLI, the batch runner and the server."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        return ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signum) == 0
    except (OSError, AttributeError):
        return False


_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _pickled(fn) -> bytes | None:
    """fn pickled, or None when it cannot be (it then runs inline)."""
    try:
        return pickle.dumps(fn, pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, AttributeError, TypeError):
        return None
